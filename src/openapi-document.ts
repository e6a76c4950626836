import type { INestApplication } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  type OperationObject,
  type ResponseObject,
} from '@nestjs/swagger';
import { AppConfig } from './config/app-config';
import { ERROR_EXAMPLES } from './common/errors/error-response.dto';
import { OPEN_READ } from './common/guards/open-read.decorator';
import { REJECTED_BATCH_EXAMPLE, RUN_EXAMPLE, RUN_WITH_REJECTED_BATCH_EXAMPLE } from './migration/dto/run-response.dto';

const WRITES = new Set(['post', 'put', 'patch', 'delete']);
const READS = new Set(['get', 'head']);
const BEARER = [{ bearer: [] }];
const ERROR_SCHEMA = { $ref: '#/components/schemas/ErrorResponseDto' };

/** The named examples, and the response schemas they illustrate. */
const EXAMPLES = {
  Run: { summary: 'A finished run of a file', value: RUN_EXAMPLE },
  Runs: { summary: 'The runs of an upload, one per file', value: { runs: [RUN_EXAMPLE] } },
  RunWithRejectedBatch: {
    summary: 'A run whose only batch was rejected, with its rows and reasons',
    value: RUN_WITH_REJECTED_BATCH_EXAMPLE,
  },
  RejectedBatch: { summary: 'A JSON batch rejected as a whole', value: REJECTED_BATCH_EXAMPLE },
  ...ERROR_EXAMPLES,
};
const EXAMPLE_OF_SCHEMA: Record<string, keyof typeof EXAMPLES> = {
  RunResponseDto: 'Run',
  StartMigrationRunResponseDto: 'Runs',
  RunDetailResponseDto: 'RunWithRejectedBatch',
  JsonBatchRejectedResponseDto: 'RejectedBatch',
};

/**
 * The OpenAPI document, with what a client generator needs and decorators cannot say once for all:
 * the key each route asks for, decided as ApiKeyGuard decides it (every write needs API_KEY and may
 * be throttled; reads need a key only when READ_API_KEY is set, except @OpenRead routes: Swagger UI
 * shows a lock on exactly the routes that ask for a key), and the named examples.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('HR data migration service')
      .setDescription('Loads the HR CSV files into SQL, backs tables up as AVRO, and reports on hires.')
      .setVersion('1.0.0')
      .setLicense('MIT', 'https://opensource.org/licenses/MIT')
      .addServer('/', 'The service that serves this document')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'API key',
        description:
          'API_KEY: needed by every write (POST, DELETE). When READ_API_KEY is set, reads other than /health, ' +
          '/docs and /dashboard need READ_API_KEY or API_KEY too; otherwise reads are open.',
      })
      .build(),
  );
  const open = openReadOperations(app);
  const readsGuarded = app.get(AppConfig).readApiKey !== null;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item) as [string, OperationObject][]) {
      codeFilePatterns(operation);
      if (WRITES.has(method)) {
        operation.security = BEARER;
        errorResponse(operation, '401', 'No API key, or not API_KEY', 'Unauthorized');
        const tooMany = errorResponse(
          operation,
          '429',
          'More writes than RATE_LIMIT_PER_MINUTE from this client within a minute; for a load, also ' +
            'MIGRATION_TOO_MANY_RUNS: MAX_CONCURRENT_RUNS runs are loading (async uploads wait instead)',
          'TooManyRequests',
        );
        tooMany.headers = {
          'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } },
        };
      } else if (READS.has(method) && (!readsGuarded || (operation.operationId && open.has(operation.operationId)))) {
        operation.security = [];
        delete operation.responses['401'];
      } else if (READS.has(method)) {
        operation.security = BEARER;
        errorResponse(operation, '401', 'READ_API_KEY is set, and neither it nor API_KEY was sent', 'Unauthorized');
        const tooMany = errorResponse(
          operation,
          '429',
          'More failed key checks than RATE_LIMIT_PER_MINUTE from this client within a minute',
          'TooManyRequests',
        );
        tooMany.headers = {
          'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } },
        };
      }
      // Every route but the page and the metrics reads the database, which may stop answering.
      if (!operation.responses['503'] && !['/dashboard', '/metrics'].includes(path)) {
        errorResponse(operation, '503', 'DATABASE_UNAVAILABLE: the database is not answering; try again in a moment');
      }
      // Every 429 carries Retry-After (the exception filter sees to it), whichever limit it is.
      const tooMany = operation.responses['429'] as ResponseObject | undefined;
      if (tooMany && !tooMany.headers?.['Retry-After']) {
        tooMany.headers = {
          ...tooMany.headers,
          'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } },
        };
      }
      errorsAsJson(operation);
      if (method === 'get') notModified(operation);
    }
  }
  addExamples(document);
  return document;
}

/**
 * Swagger UI reads descriptions as Markdown, where the `*` of `departments*.csv, jobs*.csv` would set
 * the text between them in italics: file patterns are set as code instead.
 */
function codeFilePatterns(operation: OperationObject): void {
  if (operation.description)
    operation.description = operation.description.replace(/(?<!`)\b(\w+\*\.csv)\b(?!`)/g, '`$1`');
}

/**
 * Errors are answered as JSON whatever the route produces (a download, a CSV report): each error
 * response gets the JSON error body alone, or its own JSON schema when it has one.
 */
function errorsAsJson(operation: OperationObject): void {
  for (const [status, response] of Object.entries(operation.responses) as [string, ResponseObject][]) {
    if (Number(status) < 400) continue;
    const media = Object.values(response.content ?? {});
    const schema = response.content?.['application/json']?.schema ?? media.find((m) => m.schema)?.schema;
    const examples = response.content?.['application/json']?.examples;
    response.content = { 'application/json': { schema: schema ?? ERROR_SCHEMA, ...(examples ? { examples } : {}) } };
  }
}

/** JSON and HTML reads carry an ETag: a request whose If-None-Match names it is answered 304, without a body. */
function notModified(operation: OperationObject): void {
  const ok = operation.responses['200'] as ResponseObject | undefined;
  const types = Object.keys(ok?.content ?? {});
  if (!types.some((t) => t === 'application/json' || t === 'text/html')) return;
  operation.responses['304'] = { description: 'Not Modified: If-None-Match named the current ETag; no body' };
}

/** The operation ids (Controller_method, as the document names them) of the routes marked @OpenRead. */
function openReadOperations(app: INestApplication): Set<string> {
  const reflector = app.get(Reflector);
  const ids = new Set<string>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!type) continue;
      for (const key of Object.getOwnPropertyNames(type.prototype)) {
        const handler = (type.prototype as Record<string, unknown>)[key];
        if (key === 'constructor' || typeof handler !== 'function') continue;
        if (reflector.getAllAndOverride<boolean>(OPEN_READ, [handler, type])) ids.add(`${type.name}_${key}`);
      }
    }
  }
  return ids;
}

/** The response for `status`, as the JSON error body with its named example; a description already given stays. */
function errorResponse(operation: OperationObject, status: string, description: string, example?: string) {
  const existing = operation.responses[status] as ResponseObject | undefined;
  const response: ResponseObject = {
    description: existing?.description ?? description,
    content: {
      'application/json': {
        schema: ERROR_SCHEMA,
        ...(example ? { examples: { [example]: { $ref: `#/components/examples/${example}` } } } : {}),
      },
    },
  };
  operation.responses[status] = response;
  return response;
}

function addExamples(document: OpenAPIObject): void {
  document.components = { ...document.components, examples: EXAMPLES };
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as OperationObject[]) {
      for (const [status, response] of Object.entries(operation.responses ?? {}) as [string, ResponseObject][]) {
        const json = response.content?.['application/json'];
        const schema = (json?.schema as { $ref?: string } | undefined)?.$ref?.split('/').pop();
        if (!json || json.examples || !schema) continue;
        const name = EXAMPLE_OF_SCHEMA[schema] ?? (schema === 'ErrorResponseDto' && status === '400' ? 'Error' : null);
        if (name) json.examples = { [name]: { $ref: `#/components/examples/${name}` } };
      }
    }
  }
}
