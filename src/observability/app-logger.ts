import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { escapeControls } from '../common/text/controls';
import type { LoggingConfig } from '../config/app-config';
import { currentRequestId } from './request-context';

const ENABLED: Record<LoggingConfig['level'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** Nest's start-up detail (every module, controller and route: ~45 lines), written at debug level. */
const START_UP_DETAIL = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

type JsonLogOptions = Parameters<ConsoleLogger['getJsonLogObject']>[1];

/** The fields of a line written by `logFields`. */
export type PlainFields = Readonly<Record<string, string | number>>;

/** Past this many characters a message or value takes Nest's general path (which may cut it). */
const PLAIN_LINE_CHARS = 1000;

/**
 * Nest's console logger, in its JSON mode (one object per line) or its text form, with the id of
 * the request being handled added to every line as a structured parameter. Colours only on a
 * terminal, so that a log written to a file or a pipe holds no escape codes.
 */
export class AppLogger extends ConsoleLogger {
  constructor(config: LoggingConfig, stream: { isTTY?: boolean } = process.stdout) {
    const json = config.format === 'json';
    super({
      json,
      logLevels: ENABLED[config.level],
      colors: !json && stream.isTTY === true && !process.env.NO_COLOR,
      flattenParams: true,
    });
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && START_UP_DETAIL.has(context)) {
      super.debug(message, ...optionalParams);
      return;
    }
    super.log(message, ...optionalParams);
  }

  /** Every other line is written at once, after the buffered ones, so that the log keeps its order. */
  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
    params?: Record<string, unknown>,
  ): void {
    const requestId = currentRequestId();
    const withRequest = requestId === undefined || params?.requestId ? params : { requestId, ...params };
    flushLines();
    super.printMessages(messages, context, logLevel, writeStreamType, errorStack, withRequest);
  }

  /**
   * A `log` line of flat plain fields (an access line), exactly as `log(message, fields, context)`
   * writes it, built directly: Nest's general path (argument sorting, the param merge, the JSON
   * replacer) cost more than the rest of a cached report's request. What the direct form does not
   * cover (colours, timestamps, redaction, long values) takes the general path.
   */
  logFields(context: string, message: string, fields: PlainFields): void {
    if (!this.isLevelEnabled('log')) return;
    const line = this.plainLine(context, message, fields);
    if (line === undefined) this.log(message, fields, context);
    else bufferLine(line);
  }

  private plainLine(context: string, message: string, fields: PlainFields): string | undefined {
    const { colors, timestamp, forceConsole, json, redact } = this.options;
    if (colors || timestamp || forceConsole || redact || message.length > PLAIN_LINE_CHARS) return undefined;
    const requestId = currentRequestId();
    const params = requestId === undefined || fields.requestId ? fields : { requestId, ...fields };
    if (json) {
      if (this.inspectOptions.compact !== true) return undefined;
      for (const key of Object.keys(params)) {
        const value = params[key];
        if (typeof value === 'string' && value.length > PLAIN_LINE_CHARS) return undefined;
      }
      // Strings and numbers only, far below Nest's length limit: its replacer would change nothing.
      return `${JSON.stringify(this.getJsonLogObject(message, { context, logLevel: 'log', params }))}\n`;
    }
    const text = plainParams(params);
    if (text === undefined) return undefined;
    return `${this.formatPid(process.pid)}${this.getTimestamp()}     LOG ${this.formatContext(context)}${escapeControls(message)} ${text}\n`;
  }

  /** A text line is one line: control characters in a message (a file name, a value) are escaped. */
  protected override stringifyMessage(message: unknown, logLevel: LogLevel): string {
    return super.stringifyMessage(typeof message === 'string' ? escapeControls(message) : message, logLevel);
  }

  /**
   * A flat object of plain values (an access line's fields) written as `util.inspect` writes it,
   * without its cost: inspect took most of the time of a cached report's request. Anything else,
   * or in colour, goes to inspect.
   */
  protected override stringifyParams(params: Record<string, unknown>): string {
    return (!this.options.colors && plainParams(params)) || super.stringifyParams(params);
  }

  /** `time` as an ISO instant first, which log tools read without being told the unit. */
  protected override getJsonLogObject(
    message: unknown,
    options: JsonLogOptions,
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const { timestamp, ...rest } = super.getJsonLogObject(message, options);
    return { time: new Date(timestamp).toISOString(), timestamp, ...rest };
  }
}

/**
 * Direct lines (`logFields`) wait for the end of the event loop's turn, or for 64 KB, and go out in
 * one write: under load several requests end in one turn, and each write to stdout is a system call
 * (a blocking one on a pipe or file). The process flushes them when it exits.
 */
const FLUSH_CHARS = 65_536;
let pending = '';
let flushScheduled = false;

function bufferLine(line: string): void {
  pending += line;
  if (pending.length >= FLUSH_CHARS) flushLines();
  else if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushAtTurnEnd);
  }
}

function flushAtTurnEnd(): void {
  flushScheduled = false;
  flushLines();
}

/** Writes the buffered direct lines now. */
export function flushLines(): void {
  if (pending === '') return;
  const lines = pending;
  pending = '';
  process.stdout.write(lines);
}

process.on('exit', flushLines);

const IDENTIFIER = /^[A-Za-z_][A-Za-z_0-9]*$/;
const PLAIN_STRING = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;

/** `{ a: 'x', b: 1 }` as inspect writes it (compact, one line), or undefined when it would differ. */
export function plainParams(params: Record<string, unknown>): string | undefined {
  if (Object.getPrototypeOf(params) !== Object.prototype) return undefined;
  const parts: string[] = [];
  for (const key of Object.keys(params)) {
    if (!IDENTIFIER.test(key)) return undefined;
    const value = params[key];
    if (typeof value === 'string') {
      if (value.length > 1000 || !PLAIN_STRING.test(value)) return undefined;
      parts.push(`${key}: '${value}'`);
    } else if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) {
      parts.push(`${key}: ${value}`);
    } else if (typeof value === 'boolean' || value === null) {
      parts.push(`${key}: ${value}`);
    } else {
      return undefined;
    }
  }
  return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
}
