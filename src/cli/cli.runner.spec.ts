import { runCli } from './cli.runner';
import type { Terminal } from './terminal';

function capture(): Terminal & { stdout: string; stderr: string } {
  const t = {
    stdout: '',
    stderr: '',
    errIsTty: false,
    errColumns: 80,
    out: (text: string) => void (t.stdout += text),
    err: (text: string) => void (t.stderr += text),
  };
  return t;
}

describe('runCli', () => {
  it('should print the help on stdout and exit 0 when --help is given', async () => {
    const t = capture();
    await expect(runCli(['--help'], {}, t)).resolves.toBe(0);
    expect(t.stdout).toContain('Usage: hr-migrate <command> [options]');
    expect(t.stdout).toMatch(/\n {2}load <files\.\.\.>\s+Load CSV files/);
    expect(t.stderr).toBe('');
  });

  it("should print a command's options when --help follows the command", async () => {
    const t = capture();
    await expect(runCli(['load', '--help'], {}, t)).resolves.toBe(0);
    expect(t.stdout).toMatch(/--reject-mode <row\|batch>/);
  });

  it('should print the help on stderr and exit 2 when no command is given', async () => {
    const t = capture();
    await expect(runCli([], {}, t)).resolves.toBe(2);
    expect(t.stderr).toContain('Commands:');
    expect(t.stdout).toBe('');
  });

  it('should print one line and where to find help, and exit 2, when the usage is wrong', async () => {
    const t = capture();
    await expect(runCli(['load', 'a.csv', '--batch-size', 'many'], {}, t)).resolves.toBe(2);
    expect(t.stderr).toBe(
      "hr-migrate: --batch-size must be an integer from 1 to 1000; got 'many'\nRun 'hr-migrate load --help' for usage.\n",
    );
  });

  it('should exit 2 without a stack when a file to load is missing', async () => {
    const t = capture();
    await expect(runCli(['load', '/no/such/departments.csv'], {}, t)).resolves.toBe(2);
    expect(t.stderr).toBe('hr-migrate: file not found: /no/such/departments.csv\n');
  });
});
