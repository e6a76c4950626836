import { appendFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** One answer of the service, as a client saw it. */
export interface RecordedAnswer {
  method: string;
  path: string;
  status: number;
  contentType: string;
  headers: Record<string, unknown>;
  /** The body when it is JSON, parsed; undefined otherwise. */
  json?: unknown;
  bytes: number;
}

/** Bodies kept for checking: JSON answers of the tests are small; a larger one is checked for its type only. */
const MAX_KEPT_BYTES = 4 * 1024 * 1024;

/**
 * Records every answer the application gives, to check them against its OpenAPI document:
 * an Express middleware that sees each response's status, headers and (JSON) body.
 */
export class AnswerRecorder {
  readonly answers: RecordedAnswer[] = [];

  readonly middleware = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let bytes = 0;
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      const buffer = Buffer.isBuffer(chunk)
        ? chunk
        : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      bytes += buffer.length;
      if (kept + buffer.length <= MAX_KEPT_BYTES && /json/.test(String(res.getHeader('content-type') ?? ''))) {
        chunks.push(buffer);
        kept += buffer.length;
      }
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return write(...args);
    }) as typeof res.write;
    res.end = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return end(...args);
    }) as typeof res.end;
    res.once('finish', () => {
      const contentType = String(res.getHeader('content-type') ?? '')
        .split(';')[0]
        .trim();
      let json: unknown;
      if (contentType === 'application/json' && kept === bytes && bytes > 0) {
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          json = Symbol.for('not JSON');
        }
      }
      this.answers.push({
        method: (req.method ?? 'GET').toLowerCase(),
        path: (req.url ?? '/').split('?')[0],
        status: res.statusCode,
        contentType,
        headers: res.getHeaders(),
        json,
        bytes,
      });
    });
    next();
  };
}

interface Operation {
  responses: Record<string, Response>;
}
interface Response {
  content?: Record<string, { schema?: object }>;
  headers?: Record<string, unknown>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: object;
}

/** Checks answers against an OpenAPI 3.0 document; gives one line per answer outside it. */
export class OpenApiContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new Map<object, ValidateFunction>();
  private readonly routes: { pattern: RegExp; literal: number; path: string }[];

  private readonly document: Document;

  constructor(document: Document) {
    this.document = closed(structuredClone(document));
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    this.routes = Object.keys(document.paths).map((path) => ({
      path,
      pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^/}]+\\?\}/g, '[^/]+')}$`),
      literal: path.split('/').filter((s) => s !== '' && !s.startsWith('{')).length,
    }));
  }

  /** The answers outside the document; answers of paths the document does not describe are left out. */
  mismatches(answers: RecordedAnswer[]): string[] {
    const found: string[] = [];
    for (const answer of answers) {
      const problem = this.check(answer);
      if (problem !== undefined)
        found.push(`${answer.method.toUpperCase()} ${answer.path} ${answer.status}: ${problem}`);
    }
    return found;
  }

  /** Whether the document describes the answer's path (with any method). */
  describes(answer: RecordedAnswer): boolean {
    return this.routes.some((r) => r.pattern.test(decodeURI(answer.path)));
  }

  private check(answer: RecordedAnswer): string | undefined {
    if (answer.method === 'head' || answer.method === 'options') return undefined;
    const path = safeDecode(answer.path);
    const routes = this.routes
      .filter((r) => r.pattern.test(path) && this.document.paths[r.path][answer.method] !== undefined)
      .sort((a, b) => b.literal - a.literal);
    if (routes.length === 0) {
      // An unknown method on a documented path answers 404 like any unknown route: not an answer of the API.
      return undefined;
    }
    const operation = this.document.paths[routes[0].path][answer.method];
    const response = operation.responses[String(answer.status)] ?? operation.responses.default;
    if (!response) return `status ${answer.status} is not documented (${Object.keys(operation.responses).join(', ')})`;
    if (answer.status === 429 && !response.headers?.['Retry-After']) return 'Retry-After is not documented';
    if (!response.content) {
      return answer.bytes > 0 ? `a ${answer.contentType} body where none is documented` : undefined;
    }
    const media = response.content[answer.contentType];
    if (!media) {
      if (answer.bytes === 0 && answer.contentType === '') return undefined;
      return `${answer.contentType || 'no content type'} is not documented (${Object.keys(response.content).join(', ')})`;
    }
    if (answer.json === undefined || !media.schema) return undefined;
    if (typeof answer.json === 'symbol') return 'the body is not JSON';
    const validate = this.validator(media.schema);
    if (validate(answer.json)) return undefined;
    const errors = (validate.errors ?? [])
      .slice(0, 3)
      .map((e) => {
        const extra = (e.params as { additionalProperty?: string }).additionalProperty;
        return `${e.instancePath || '/'} ${e.message ?? ''}${extra === undefined ? '' : ` (${extra})`}`;
      })
      .join('; ');
    return `the body is outside the schema: ${errors}`;
  }

  private validator(schema: object): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile({ ...schema, components: this.document.components });
      this.compiled.set(schema, validate);
    }
    return validate;
  }
}

/**
 * Every object schema that lists its properties and says nothing of others is closed, so that an
 * answer's undocumented field is found too.
 */
function closed<T>(node: T): T {
  if (Array.isArray(node)) {
    for (const item of node) closed(item);
  } else if (node !== null && typeof node === 'object') {
    const schema = node as Record<string, unknown>;
    if (
      schema.properties !== undefined &&
      typeof schema.properties === 'object' &&
      !('additionalProperties' in schema)
    ) {
      schema.additionalProperties = false;
    }
    for (const [key, value] of Object.entries(schema)) if (key !== 'example' && key !== 'examples') closed(value);
  }
  return node;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** With CONTRACT_LOG set, each suite appends its counts there (answers checked, mismatches). */
export function logContract(suite: string, checked: number, mismatches: string[]): void {
  const file = process.env.CONTRACT_LOG;
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ suite, checked, mismatches })}\n`);
}
