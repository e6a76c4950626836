import { createTerminal, ERASE_LINE, processTerminal } from './terminal';

function streams(isTTY: boolean) {
  const out = { text: '', isTTY, write: (t: string) => (out.text += t) };
  const err = { text: '', isTTY, columns: 100, write: (t: string) => (err.text += t) };
  return { out, err, terminal: createTerminal(out, err) };
}

const HOSTILE = '\x1b]0;TERMINAL-TITLE-PWNED\x07\x1b[2J7,x\u009b31m\u202Eevil\r\n';

describe('createTerminal', () => {
  it('should escape every control character but line feeds and tabs when results go to a terminal', () => {
    const { out, terminal } = streams(true);
    terminal.out(`${HOSTILE}\tok\n`);
    expect(out.text).toBe('\\x1b]0;TERMINAL-TITLE-PWNED\\x07\\x1b[2J7,x\\x9b31m\\u202eevil\\x0d\n\tok\n');
  });

  it('should write results exactly as they came when they go to a file or a pipe', () => {
    const { out, terminal } = streams(false);
    terminal.out(HOSTILE);
    expect(out.text).toBe(HOSTILE);
  });

  it("should escape messages wherever they go, keeping only the CLI's own line erase", () => {
    for (const isTTY of [true, false]) {
      const { err, terminal } = streams(isTTY);
      terminal.err(`error: ${HOSTILE}`);
      terminal.err(`${ERASE_LINE}loading \x1b[31mred.csv`);
      expect(err.text).toBe(
        'error: \\x1b]0;TERMINAL-TITLE-PWNED\\x07\\x1b[2J7,x\\x9b31m\\u202eevil\\x0d\n' +
          `${ERASE_LINE}loading \\x1b[31mred.csv`,
      );
    }
  });

  it("should escape a server's terminal commands in the process's own stderr", () => {
    const written: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      processTerminal().err('error: \x1b]0;TERMINAL-TITLE-PWNED\x07\n');
    } finally {
      write.mockRestore();
    }
    expect(written.join('')).toBe('error: \\x1b]0;TERMINAL-TITLE-PWNED\\x07\n');
  });
});
