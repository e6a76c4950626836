import { DEFAULT_URL, parseCommandLine } from './args.parser';
import { UsageError } from './cli.error';
import type { CommandSpec } from './command.types';

const load: CommandSpec = {
  name: 'load',
  summary: 'Load',
  args: '<files...>',
  positionals: { min: 1, max: Infinity },
  options: {
    'batch-size': { type: 'string', integer: { min: 1, max: 1000 }, description: '' },
    'reject-mode': { type: 'string', choices: ['row', 'batch'], description: '' },
  },
};
const run: CommandSpec = { name: 'run', summary: 'Run', args: '<id>', positionals: { min: 1, max: 1 }, options: {} };
const commands = [load, run];

function parse(argv: string[], env: Record<string, string> = {}) {
  return parseCommandLine(argv, env, commands);
}

function usageMessage(argv: string[]): string {
  try {
    parse(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('parseCommandLine', () => {
  it('should read the command, its files and options when global options come before and after it', () => {
    const parsed = parse(['--url', 'http://h:1/', 'load', 'a.csv', '--batch-size', '10', 'b.csv', '--json']);
    expect(parsed).toMatchObject({
      kind: 'run',
      positionals: ['a.csv', 'b.csv'],
      options: { 'batch-size': '10' },
      global: { url: 'http://h:1', json: true },
    });
    expect(parsed.kind === 'run' && parsed.command.name).toBe('load');
  });

  it('should take the URL and key from HR_URL and API_KEY when no option gives them', () => {
    const parsed = parse(['run', '3'], { HR_URL: 'http://svc:8080', API_KEY: 'k'.repeat(20) });
    expect(parsed).toMatchObject({ global: { url: 'http://svc:8080', key: 'k'.repeat(20), json: false } });
  });

  it('should prefer --url and --key to the environment when both are given', () => {
    const parsed = parse(['run', '3', '--url=http://a:1', '--key', 'mine'], { HR_URL: 'http://b:2', API_KEY: 'env' });
    expect(parsed).toMatchObject({ global: { url: 'http://a:1', key: 'mine' } });
  });

  it('should default to localhost:3000 and no key when nothing is set', () => {
    expect(parse(['run', '1'])).toMatchObject({ global: { url: DEFAULT_URL, key: undefined } });
  });

  it("should answer the tool's help when --help is given without a command", () => {
    expect(parse(['--help'])).toEqual({ kind: 'help', command: undefined, exitCode: 0 });
  });

  it("should answer the command's help when --help follows a command, whatever else is wrong", () => {
    expect(parse(['load', '--help'])).toMatchObject({ kind: 'help', command: { name: 'load' }, exitCode: 0 });
    expect(parse(['help', 'run'])).toMatchObject({ kind: 'help', command: { name: 'run' }, exitCode: 0 });
  });

  it('should answer help with exit code 2 when no command is given', () => {
    expect(parse([])).toMatchObject({ kind: 'help', exitCode: 2 });
  });

  it('should name the unknown command and suggest a close one when the command is misspelt', () => {
    expect(usageMessage(['lod', 'a.csv'])).toMatch(/^unknown command 'lod'; did you mean 'load'\?/);
  });

  it('should name the unknown option and the command when an option does not exist', () => {
    expect(usageMessage(['load', 'a.csv', '--bogus'])).toMatch(/^unknown option '--bogus' for 'load'/);
    expect(usageMessage(['run', '1', '--batch-size', '3'])).toMatch(/^unknown option '--batch-size' for 'run'/);
  });

  it('should say an option needs a value when it is last without one', () => {
    expect(usageMessage(['load', 'a.csv', '--reject-mode'])).toMatch(/^option '--reject-mode' needs a value/);
  });

  it('should refuse a value outside the choices or the integer range', () => {
    expect(usageMessage(['load', 'a.csv', '--reject-mode', 'all'])).toMatch(/--reject-mode must be one of row, batch/);
    expect(usageMessage(['load', 'a.csv', '--batch-size', '0'])).toMatch(
      /--batch-size must be an integer from 1 to 1000/,
    );
    expect(usageMessage(['load', 'a.csv', '--batch-size', '1.5'])).toMatch(/got '1.5'/);
  });

  it('should refuse missing and extra arguments', () => {
    expect(usageMessage(['load'])).toMatch(/^'load' needs <files...>/);
    expect(usageMessage(['run', '1', '2'])).toMatch(/^unexpected argument for 'run': 2/);
  });

  it('should refuse a URL that is not http(s)', () => {
    expect(usageMessage(['run', '1', '--url', 'localhost:3000'])).toMatch(/--url must be an http\(s\) URL/);
    expect(usageMessage(['run', '1', '--url', 'not a url'])).toMatch(/--url must be an http\(s\) URL/);
  });

  it('should end every usage error with where to find help', () => {
    expect(usageMessage(['load', '--nope', 'a.csv'])).toMatch(/\nRun 'hr-migrate load --help' for usage\.$/);
  });
});
