import { AppLogger } from './app-logger';

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
