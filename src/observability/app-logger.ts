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
    super.printMessages(messages, context, logLevel, writeStreamType, errorStack, withRequest);
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
