import { ApiClient } from './api.client';
import { parseCommandLine } from './args.parser';
import { CliError, EXIT_FAILURE } from './cli.error';
import type { CommandDefinition } from './command.types';
import { backupCommand, backupsCommand, restoreCommand } from './commands/backup.command';
import { loadCommand } from './commands/load.command';
import { rejectsCommand } from './commands/rejects.command';
import { reportCommand } from './commands/report.command';
import { runCommand, runsCommand } from './commands/runs.command';
import { formatCommandHelp, formatToolHelp } from './help.text';
import type { Terminal } from './terminal';

export const COMMANDS: CommandDefinition[] = [
  loadCommand,
  runsCommand,
  runCommand,
  rejectsCommand,
  backupCommand,
  backupsCommand,
  restoreCommand,
  reportCommand,
];

type Env = Record<string, string | undefined>;

/** Runs one command line and resolves to the exit code; every failure is one line on stderr. */
export async function runCli(argv: string[], env: Env, terminal: Terminal): Promise<number> {
  try {
    const parsed = parseCommandLine(argv, env, COMMANDS);
    if (parsed.kind === 'help') {
      const text = parsed.command ? formatCommandHelp(parsed.command) : formatToolHelp(COMMANDS);
      if (parsed.exitCode === 0) terminal.out(text);
      else terminal.err(text);
      return parsed.exitCode;
    }
    const api = new ApiClient(parsed.global.url, parsed.global.key);
    return await parsed.command.run({ line: parsed, api, terminal });
  } catch (error) {
    terminal.err(`hr-migrate: ${describe(error)}\n`);
    return error instanceof CliError ? error.exitCode : EXIT_FAILURE;
  }
}

function describe(error: unknown): string {
  if (error instanceof CliError) return error.message;
  // A bug, not a user error: still one line, with enough to report it.
  return `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}
