import { inspect } from 'node:util';
import fc from 'fast-check';
import { AppLogger, plainParams } from './app-logger';

describe('AppLogger', () => {
  it('should keep a message on one line with its controls escaped when the log is text', () => {
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const logger = new AppLogger({ format: 'text', level: 'log' }, { isTTY: false });
      logger.log('Run 3 loading a.csv\n2026-01-01 LOG [Auth] admin login OK (FORGED)\x1b[2J', 'MigrationRun');
    } finally {
      write.mockRestore();
    }
    const text = written.join('');
    expect(text.split('\n').filter((line) => line !== '')).toHaveLength(1);
    expect(text).toContain('a.csv\\n2026-01-01 LOG [Auth] admin login OK (FORGED)\\x1b[2J');
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
