import type { ApiClient } from './api.client';
import type { Terminal } from './terminal';

export type OptionValue = string | boolean | undefined;

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Shown in help, e.g. `--limit <n>`. */
  valueName?: string;
  choices?: readonly string[];
  integer?: { min: number; max: number };
  short?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** The positional part of the usage line, e.g. `<files...>`. */
  args: string;
  positionals: { min: number; max: number };
  options: Record<string, OptionSpec>;
  details?: string[];
  examples?: string[];
}

export interface GlobalOptions {
  url: string;
  key?: string;
  json: boolean;
}

export interface CommandLine {
  command: CommandSpec;
  positionals: string[];
  options: Record<string, OptionValue>;
  global: GlobalOptions;
}

export interface CommandContext {
  line: CommandLine;
  api: ApiClient;
  terminal: Terminal;
}

export interface CommandDefinition extends CommandSpec {
  /** Resolves to the process exit code. */
  run(context: CommandContext): Promise<number>;
}
