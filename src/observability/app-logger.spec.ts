import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConsoleLogger } from '@nestjs/common';
import fc from 'fast-check';
import type { Request, Response } from 'express';
import { AppLogger, flushLines, plainParams, type PlainFields } from './app-logger';
import { requestContext } from './request-context';

/** Each write to stdout from now on, in `writes`, until `restore()`. */
function captureStdout(): { writes: string[]; restore: () => void } {
  const writes: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  });
  return { writes, restore: () => write.mockRestore() };
}

/** What `fn` writes on stdout, at a fixed clock. */
function stdoutOf(fn: () => void): string {
  const { writes: written, restore } = captureStdout();
  const now = jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 11, 7, 16, 44, 19, 250));
  try {
    fn();
    flushLines();
  } finally {
    now.mockRestore();
    restore();
  }
  return written.join('');
}

/** Runs `fn` inside a request's context, with the id the request sent. */
function inRequest(requestId: string, fn: () => void): void {
  const request = { headers: { 'x-request-id': requestId }, emit: () => true } as unknown as Request;
  const response = { setHeader: () => response } as unknown as Response;
  requestContext(request, response, fn);
}

describe('AppLogger', () => {
  it('should keep a message on one line with its controls escaped when the log is text', () => {
    const text = stdoutOf(() => {
      const logger = new AppLogger({ format: 'text', level: 'log' }, { isTTY: false });
      logger.log('Run 3 loading a.csv\n2026-01-01 LOG [Auth] admin login OK (FORGED)\x1b[2J', 'MigrationRun');
    });
    expect(text.split('\n').filter((line) => line !== '')).toHaveLength(1);
    expect(text).toContain('a.csv\\n2026-01-01 LOG [Auth] admin login OK (FORGED)\\x1b[2J');
  });
});

describe('AppLogger.logFields', () => {
  const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }));
  const fields = fc.record(
    {
      requestId: fc.oneof(fc.uuid(), fc.constant(''), text),
      method: fc.constantFrom('GET', 'POST', 'HEAD'),
      path: fc.oneof(fc.webPath(), text, fc.string({ minLength: 1001, maxLength: 1100 })),
      status: fc.integer({ min: 100, max: 599 }),
      code: fc.constantFrom('AUTH_MISSING_KEY', 'REQUEST_INVALID'),
      durationMs: fc.oneof(fc.nat(), fc.double()),
    },
    { requiredKeys: ['method', 'path', 'status', 'durationMs'] },
  );
  const context = fc.option(fc.stringMatching(/^[A-Za-z0-9._:-]{1,20}$/), { nil: undefined });

  for (const format of ['text', 'json'] as const) {
    it(`should write exactly the ${format} line that log(message, fields, context) writes`, () => {
      const logger = new AppLogger({ format, level: 'log' }, { isTTY: false });
      fc.assert(
        fc.property(text, fields, context, (message, record: PlainFields, requestId) => {
          const run = (fn: () => void) => () => (requestId === undefined ? fn() : inRequest(requestId, fn));
          const direct = stdoutOf(run(() => logger.logFields('HTTP', message, record)));
          const general = stdoutOf(run(() => logger.log(message, record, 'HTTP')));
          expect(direct).toBe(general);
          expect(direct.endsWith('\n')).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('should build a plain access line itself, in both formats', () => {
    const general = jest.spyOn(ConsoleLogger.prototype, 'log');
    try {
      for (const format of ['text', 'json'] as const) {
        const logger = new AppLogger({ format, level: 'log' }, { isTTY: false });
        const line = stdoutOf(() =>
          logger.logFields('HTTP', 'GET /health 200 1ms', { requestId: 'r1', path: '/health', status: 200 }),
        );
        expect(line).toContain('GET /health 200 1ms');
      }
      expect(general).not.toHaveBeenCalled();
    } finally {
      general.mockRestore();
    }
  });

  it('should write the lines of one turn of the event loop in one write, before any later line', async () => {
    const { writes, restore } = captureStdout();
    try {
      const logger = new AppLogger({ format: 'text', level: 'log' }, { isTTY: false });
      logger.logFields('HTTP', 'GET /a 200 1ms', { status: 200 });
      logger.logFields('HTTP', 'GET /b 200 1ms', { status: 200 });
      expect(writes).toEqual([]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes).toHaveLength(1);
      expect(writes[0]).toMatch(/GET \/a 200 1ms.*\n.*GET \/b 200 1ms.*\n$/);
      logger.logFields('HTTP', 'GET /c 200 1ms', { status: 200 });
      logger.log('Run 1 finished', 'MigrationRun');
      expect(writes.slice(1).join('')).toMatch(/GET \/c 200 1ms.*\n.*Run 1 finished/);
    } finally {
      restore();
    }
  });

  it('should write the waiting lines when the process exits', () => {
    const script = [
      "const { AppLogger } = require('./src/observability/app-logger');",
      "const logger = new AppLogger({ format: 'json', level: 'log' }, { isTTY: false });",
      "logger.logFields('HTTP', 'GET /last 200 1ms', { status: 200 });",
      'process.exit(0);',
    ].join('\n');
    const out = execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', script], {
      cwd: join(__dirname, '..', '..'),
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toMatchObject({ context: 'HTTP', message: 'GET /last 200 1ms', status: 200 });
  });

  it('should write nothing when the level leaves log lines out', () => {
    const logger = new AppLogger({ format: 'text', level: 'warn' }, { isTTY: false });
    expect(stdoutOf(() => logger.logFields('HTTP', 'GET /health 200 1ms', { status: 200 }))).toBe('');
  });
});

describe('plainParams', () => {
  const inspected = (params: object) => inspect(params, { compact: true, breakLength: Infinity });

  it('should write a flat object of plain values exactly as util.inspect does', () => {
    const key = fc.stringMatching(/^[A-Za-z_$][\w$]{0,10}$/);
    const value = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ unit: 'binary', maxLength: 10 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6, noNullPrototype: true }), (params) => {
        const fast = plainParams(params);
        if (fast !== undefined) expect(fast).toBe(inspected(params));
      }),
    );
  });

  it('should write the fields of an access line itself, and leave anything else to inspect', () => {
    const access = { requestId: 'c05a3b00-6276', method: 'GET', path: '/health', status: 200, durationMs: 9 };
    expect(plainParams(access)).toBe(inspected(access));
    expect(plainParams({ file: "it's" })).toBeUndefined();
    expect(plainParams({ nested: { a: 1 } })).toBeUndefined();
    expect(plainParams({ 'not-an-identifier': 1 })).toBeUndefined();
  });
});
