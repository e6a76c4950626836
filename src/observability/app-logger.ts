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

  /** `time` as an ISO instant first, which log tools read without being told the unit. */
  protected override getJsonLogObject(
    message: unknown,
    options: JsonLogOptions,
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const { timestamp, ...rest } = super.getJsonLogObject(message, options);
    return { time: new Date(timestamp).toISOString(), timestamp, ...rest };
  }
}
