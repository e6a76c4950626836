import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli.error';
import type { CommandLine, CommandSpec, GlobalOptions, OptionSpec, OptionValue } from './command.types';

export const DEFAULT_URL = 'http://localhost:3000';

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: { type: 'string', valueName: 'url', description: `the service's URL (default: $HR_URL or ${DEFAULT_URL})` },
  key: { type: 'string', valueName: 'key', description: 'the API key for writes (default: $API_KEY)' },
  json: { type: 'boolean', description: "print the service's JSON instead of a table" },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

export type ParsedArgs<T extends CommandSpec = CommandSpec> =
  { kind: 'help'; command?: T; exitCode: number } | ({ kind: 'run'; command: T } & CommandLine);

type Env = Record<string, string | undefined>;

/** Reads argv (without node and the script) into a command, its arguments and the global options. */
export function parseCommandLine<T extends CommandSpec>(argv: string[], env: Env, commands: T[]): ParsedArgs<T> {
  const name = findCommandName(argv, commands);
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  if (name === undefined || name === 'help') return helpFor(argv, commands, name, wantsHelp);
  const command = commands.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command '${name}'${suggest(name, commands)}`);
  if (wantsHelp) return { kind: 'help', command, exitCode: 0 };
  const { values, positionals } = strictParse(argv, command);
  positionals.splice(positionals.indexOf(name), 1);
  checkPositionals(command, positionals);
  for (const [option, spec] of Object.entries(command.options)) checkValue(command, option, spec, values[option]);
  return { kind: 'run', command, positionals, options: values, global: globalOptions(values, env) };
}

function helpFor<T extends CommandSpec>(
  argv: string[],
  commands: T[],
  name: string | undefined,
  wantsHelp: boolean,
): ParsedArgs<T> {
  if (name === 'help') {
    const topic = argv.filter((a) => !a.startsWith('-'))[1];
    const command = commands.find((c) => c.name === topic);
    if (topic !== undefined && !command) throw new UsageError(`unknown command '${topic}'${suggest(topic, commands)}`);
    return { kind: 'help', command, exitCode: 0 };
  }
  const unknown = argv.find((a) => a.startsWith('-') && !knownGlobal(a));
  if (unknown) throw new UsageError(`unknown option '${unknown.split('=')[0]}'`);
  return { kind: 'help', exitCode: wantsHelp ? 0 : 2 };
}

function knownGlobal(arg: string): boolean {
  const name = arg.replace(/^--?/, '').split('=')[0];
  return name in GLOBAL_OPTIONS || Object.values(GLOBAL_OPTIONS).some((o) => o.short === name);
}

/** The first positional argument, skipping the values of options that take one. */
function findCommandName(argv: string[], commands: CommandSpec[]): string | undefined {
  const all = commands.reduce((acc, c) => ({ ...acc, ...c.options }), { ...GLOBAL_OPTIONS });
  const { tokens } = parseArgs({ args: argv, options: toParseArgs(all), strict: false, tokens: true });
  return tokens.find((t) => t.kind === 'positional')?.value;
}

function strictParse(argv: string[], command: CommandSpec) {
  try {
    const options = toParseArgs({ ...GLOBAL_OPTIONS, ...command.options });
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    // No option is declared `multiple`, so no value is an array.
    return { values: values as Record<string, OptionValue>, positionals };
  } catch (error) {
    throw new UsageError(describeParseError(error, command.name), command.name);
  }
}

function toParseArgs(options: Record<string, OptionSpec>): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(options).map(([name, spec]) => [
      name,
      spec.short ? { type: spec.type, short: spec.short } : { type: spec.type },
    ]),
  );
}

function describeParseError(error: unknown, command: string): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${option}' for '${command}'`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return message.includes('does not take') ? `option '${option}' takes no value` : `option '${option}' needs a value`;
  }
  return message;
}

function checkPositionals(command: CommandSpec, positionals: string[]): void {
  const { min, max } = command.positionals;
  if (positionals.length < min) throw new UsageError(`'${command.name}' needs ${command.args}`, command.name);
  if (positionals.length > max) {
    const extra = positionals.slice(max).join(' ');
    throw new UsageError(
      `unexpected argument${positionals.length - max > 1 ? 's' : ''} for '${command.name}': ${extra}`,
      command.name,
    );
  }
}

function checkValue(command: CommandSpec, option: string, spec: OptionSpec, value: OptionValue): void {
  if (typeof value !== 'string') return;
  if (spec.choices && !spec.choices.includes(value)) {
    throw new UsageError(`--${option} must be one of ${spec.choices.join(', ')}; got '${value}'`, command.name);
  }
  if (spec.integer) {
    const { min, max } = spec.integer;
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) {
      throw new UsageError(`--${option} must be an integer from ${min} to ${max}; got '${value}'`, command.name);
    }
  }
}

function globalOptions(values: Record<string, OptionValue>, env: Env): GlobalOptions {
  const raw = (values.url as string | undefined) ?? (env.HR_URL || DEFAULT_URL);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url must be an http(s) URL such as ${DEFAULT_URL}; got '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url must be an http(s) URL such as ${DEFAULT_URL}; got '${raw}'`);
  }
  const key = (values.key as string | undefined) ?? (env.API_KEY || undefined);
  return { url: url.toString().replace(/\/+$/, ''), key, json: values.json === true };
}

function suggest(name: string, commands: CommandSpec[]): string {
  const close = commands.find((c) => c.name.startsWith(name) || distance(name, c.name) <= 2);
  return close ? `; did you mean '${close.name}'?` : '';
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
