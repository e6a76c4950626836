import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import request from 'supertest';
import ts from 'typescript';
import { startTestApp, type TestApp } from '../support/test-app';

/** A client of the generated types: it compiles only if a Run has the types the contract gives it. */
const CLIENT = `
import type { components, paths } from './api';

type Run = components['schemas']['RunResponseDto'];
type RunDetail = paths['/migrate/runs/{id}']['get']['responses'][200]['content']['application/json'];
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export const checks: [
  Equal<Run['id'], number>,
  Equal<Run['finishedAt'], string | null>,
  Equal<Run['file'], string | null>,
  Equal<Run['durationMs'], number | null>,
  Equal<NonNullable<Run['progress']>['bytesTotal'], number | null>,
  Equal<RunDetail['rejected'][number]['errors'][number]['line'], number>,
  Equal<RunDetail['rejected'][number]['errors'][number]['field'], string | null>,
  Equal<RunDetail['rejected'][number]['rows'][number]['line'], number>,
  Equal<components['schemas']['HiredEmployeeRowDto']['department_id'], number>,
] = [true, true, true, true, true, true, true, true, true];

/** What a caller writes: the seconds a finished run took, and the lines of its rejected rows. */
export function describeRun(run: RunDetail): string {
  const seconds = run.finishedAt === null ? 'still running' : \`\${(run.durationMs ?? 0) / 1000} s\`;
  const lines = run.rejected.flatMap((batch) => batch.errors.map((error) => error.line + 1));
  return \`run \${run.id + 0}: \${seconds}; rejected lines \${lines.join(', ')}\`;
}
`;

/** The same client, wrong the way the old document made it: it must not compile. */
const WRONG_CLIENT = `
import type { components } from './api';
type Run = components['schemas']['RunResponseDto'];
export const finished: Record<string, never> | null = null as unknown as Run['finishedAt'];
export const id: string = null as unknown as Run['id'];
`;

/** A package's command line, run as a user runs it (both packages are ESM, which this test runner does not load). */
function run(pkg: string, bin: string, args: string[]) {
  const script = join(dirname(require.resolve(`${pkg}/package.json`)), bin);
  return spawnSync(process.execPath, [script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
}

function typeErrors(dir: string, file: string): string[] {
  const program = ts.createProgram([join(dir, file)], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ['lib.es2022.d.ts'],
    types: [],
    skipLibCheck: true,
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

// The document does not depend on the database: one engine is enough.
describe('the OpenAPI document', () => {
  let t: TestApp;
  let dir: string;
  let generated: ReturnType<typeof run>;
  let doc: {
    servers: { url: string }[];
    info: { license?: { name: string } };
    paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
    components: { examples: Record<string, { value: unknown }> };
  };

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    doc = (await request(t.server).get('/docs-json').expect(200)).body;
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
    generated = run('openapi-typescript', 'bin/cli.js', [join(dir, 'openapi.json'), '-o', join(dir, 'api.ts')]);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should generate a client with openapi-typescript that type-checks with the types of a Run', () => {
    expect(generated.stderr).not.toMatch(/error/i);
    expect(generated.status).toBe(0);
    writeFileSync(join(dir, 'client.ts'), CLIENT);
    expect(typeErrors(dir, 'client.ts')).toEqual([]);
  });

  it('should make a client that expects the wrong types fail to type-check', () => {
    writeFileSync(join(dir, 'wrong-client.ts'), WRONG_CLIENT);
    const errors = typeErrors(dir, 'wrong-client.ts');
    expect(errors).toHaveLength(2);
    expect(errors.join('\n')).toContain("Type 'string' is not assignable to type 'Record<string, never>'");
  });

  it('should pass redocly lint with no error, offline', () => {
    const result = run('@redocly/cli', 'bin/cli.js', ['lint', join(dir, 'openapi.json'), '--format=json']);
    const report = JSON.parse(result.stdout) as {
      totals: { errors: number };
      problems: { ruleId: string; severity: string; location: { pointer: string }[] }[];
    };
    expect(report.totals.errors).toBe(0);
    // The open routes cannot answer 4XX: no key is asked (READ_API_KEY is unset), no input is taken.
    expect(report.problems.map((p) => `${p.ruleId} ${p.location[0].pointer}`).sort()).toEqual(
      [
        'operation-4xx-response #/paths/~1health/get/responses',
        'operation-4xx-response #/paths/~1dashboard/get/responses',
        'operation-4xx-response #/paths/~1metrics/get/responses',
        'operation-4xx-response #/paths/~1reports~1years/get/responses',
      ].sort(),
    );
    expect(result.status).toBe(0);
  });

  it('should declare the key, a 401 and a 429 on every write, and no key on reads when READ_API_KEY is unset', () => {
    const open = ['/health', '/dashboard'];
    let writes = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (method === 'get') {
          // Swagger UI draws a lock on a route that declares a key: reads are open here.
          expect({ where, security: operation.security }).toEqual({ where, security: [] });
          expect({ where, statuses: Object.keys(operation.responses) }).not.toEqual({
            where,
            statuses: expect.arrayContaining(['401']),
          });
          continue;
        }
        expect({ where, security: operation.security }).toEqual({ where, security: [{ bearer: [] }] });
        expect({ where, statuses: Object.keys(operation.responses) }).toEqual({
          where,
          statuses: expect.arrayContaining(['401', '429']),
        });
        writes += 1;
      }
    }
    expect(writes).toBeGreaterThanOrEqual(4);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([...open, '/migrate/runs/{id}/events']));
  });

  it('should declare the key and a 401 on every read but the open ones when READ_API_KEY is set', async () => {
    const guarded = await startTestApp('sqlite', { readApiKey: 'a-read-key-of-16-chars' });
    try {
      const document = (await request(guarded.server).get('/docs-json').expect(200)).body as typeof doc;
      const open = ['/health', '/dashboard'];
      let reads = 0;
      for (const [path, item] of Object.entries(document.paths)) {
        const operation = item.get;
        if (!operation) continue;
        const where = `GET ${path}`;
        if (open.includes(path)) {
          expect({ where, security: operation.security }).toEqual({ where, security: [] });
          continue;
        }
        expect({ where, security: operation.security }).toEqual({ where, security: [{ bearer: [] }] });
        expect({ where, statuses: Object.keys(operation.responses) }).toEqual({
          where,
          statuses: expect.arrayContaining(['401']),
        });
        reads += 1;
      }
      expect(reads).toBeGreaterThanOrEqual(8);
    } finally {
      await guarded.close();
    }
  });

  it('should set file name patterns as code, not as italics, in the descriptions Swagger UI shows', () => {
    const description = String((doc.paths['/migrate'].post as { description?: string }).description);
    expect(description).toContain('`departments*.csv`, `jobs*.csv`, `hired_employees*.csv`');
  });

  it('should name its servers and license, and give named examples of a Run, a rejected batch and an error', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(doc.info.license?.name).toBe('MIT');
    expect(Object.keys(doc.components.examples)).toEqual(
      expect.arrayContaining([
        'Run',
        'RunWithRejectedBatch',
        'RejectedBatch',
        'Error',
        'Unauthorized',
        'TooManyRequests',
      ]),
    );
    const detail = doc.paths['/migrate/runs/{id}'].get.responses['200'] as {
      content: Record<string, { examples: Record<string, { $ref: string }> }>;
    };
    expect(detail.content['application/json'].examples).toEqual({
      RunWithRejectedBatch: { $ref: '#/components/examples/RunWithRejectedBatch' },
    });
  });

  it('should list the upload form fields before the file and every option as a query parameter too', () => {
    const upload = (doc as unknown as { paths: Record<string, Record<string, UploadOperation>> }).paths['/migrate']
      .post;
    const schema = upload.requestBody.content['multipart/form-data'].schema;
    const ref = schema.$ref?.split('/').pop() ?? '';
    const fields = Object.keys(
      (doc.components as unknown as { schemas: Record<string, { properties: object }> }).schemas[ref].properties,
    );
    expect(fields[fields.length - 1]).toBe('file');
    const options = fields.filter((f) => f !== 'file');
    expect(upload.parameters.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(
      expect.arrayContaining(['async', ...options]),
    );
  });
});

interface UploadOperation {
  parameters: { in: string; name: string }[];
  requestBody: { content: Record<string, { schema: { $ref?: string } }> };
}
