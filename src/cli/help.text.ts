import { GLOBAL_OPTIONS } from './args.parser';
import type { CommandSpec, OptionSpec } from './command.types';

const TOOL = 'hr-migrate';

/** The tool's help: usage, commands, global options, exit codes. */
export function formatToolHelp(commands: CommandSpec[]): string {
  const width = Math.max(...commands.map((c) => usage(c).length));
  return [
    `${TOOL} - load HR CSV files into the HR migration service, and manage its runs, backups and reports`,
    '',
    `Usage: ${TOOL} <command> [options]`,
    '',
    'Commands:',
    ...commands.map((c) => `  ${usage(c).padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...formatOptions(GLOBAL_OPTIONS),
    '',
    'Exit codes: 0 success (every row loaded), 1 some rows rejected, 2 failure or bad usage.',
    `Run '${TOOL} <command> --help' for a command's options.`,
    '',
  ].join('\n');
}

/** One command's help: usage, what it does, its options, examples. */
export function formatCommandHelp(command: CommandSpec): string {
  const lines = [`Usage: ${TOOL} ${usage(command)} [options]`, '', `${command.summary}.`];
  if (command.details?.length) lines.push('', ...command.details);
  if (Object.keys(command.options).length) lines.push('', 'Options:', ...formatOptions(command.options));
  lines.push('', 'Global options:', ...formatOptions(GLOBAL_OPTIONS));
  if (command.examples?.length) lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

function usage(command: CommandSpec): string {
  return command.args ? `${command.name} ${command.args}` : command.name;
}

function formatOptions(options: Record<string, OptionSpec>): string[] {
  const flags = Object.entries(options).map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : '';
    const value = spec.type === 'string' ? ` <${spec.valueName ?? spec.choices?.join('|') ?? 'value'}>` : '';
    return `${short}--${name}${value}`;
  });
  const width = Math.max(...flags.map((f) => f.length));
  return Object.values(options).map((spec, i) => `  ${flags[i].padEnd(width)}  ${spec.description}`);
}
