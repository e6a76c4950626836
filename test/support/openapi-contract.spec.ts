import { OpenApiContract, type RecordedAnswer } from './openapi-contract';

const DOCUMENT = {
  paths: {
    '/runs/{id}': {
      get: {
        responses: {
          '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Run' } } } },
          '429': {
            content: { 'application/json': { schema: { type: 'object' } } },
            headers: { 'Retry-After': { schema: { type: 'integer' } } },
          },
        },
      },
    },
    '/runs/latest': { get: { responses: { '200': { content: { 'text/html': { schema: { type: 'string' } } } } } } },
  },
  components: {
    schemas: {
      Run: {
        type: 'object',
        properties: { id: { type: 'integer' }, progress: { type: 'object', nullable: true, properties: {} } },
        required: ['id'],
      },
    },
  },
};

function answer(path: string, status: number, contentType: string, json?: unknown): RecordedAnswer {
  return { method: 'get', path, status, contentType, headers: {}, json, bytes: json === undefined ? 10 : 1 };
}

describe('OpenApiContract', () => {
  const contract = new OpenApiContract(DOCUMENT);

  it('should find no mismatch when every answer is in the document', () => {
    expect(
      contract.mismatches([
        answer('/runs/3', 200, 'application/json', { id: 3, progress: null }),
        answer('/runs/latest', 200, 'text/html'),
        answer('/elsewhere', 404, 'application/json', { message: 'x' }),
      ]),
    ).toEqual([]);
  });

  it('should name each answer outside the document when the status, type, schema or a field is not documented', () => {
    expect(
      contract.mismatches([
        answer('/runs/3', 400, 'application/json', { message: 'x' }),
        answer('/runs/3', 200, 'application/octet-stream'),
        answer('/runs/3', 200, 'application/json', { id: 'three', progress: null }),
        answer('/runs/3', 200, 'application/json', { id: 3, progress: null, runs: [] }),
        answer('/runs/latest', 200, 'application/json', {}),
      ]),
    ).toEqual([
      'GET /runs/3 400: status 400 is not documented (200, 429)',
      'GET /runs/3 200: application/octet-stream is not documented (application/json)',
      'GET /runs/3 200: the body is outside the schema: /id must be integer',
      'GET /runs/3 200: the body is outside the schema: / must NOT have additional properties (runs)',
      'GET /runs/latest 200: application/json is not documented (text/html)',
    ]);
  });
});
