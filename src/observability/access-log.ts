import { Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ERROR_CODE_LOCAL } from '../common/filters/all-exceptions.filter';
import { MetricsService } from './metrics.service';
import { REQUEST_ID_HEADER } from '../common/http/request-id';
import type { AppLogger } from './app-logger';

const CONTEXT = 'HTTP';

/** What an on-call engineer should read in a 401's access line, beside its code. */
const CODE_NOTES: Record<string, string> = {
  AUTH_MISSING_KEY: 'missing key',
  AUTH_INVALID_KEY: 'wrong key',
};

/**
 * One access line per request (method, path, status, the error's code, time) and its duration in the metrics, by
 * the route's pattern (`/backup/:table`), so that ids in paths do not make a series each.
 */
@Injectable()
export class AccessLog {
  private readonly logger = new Logger(CONTEXT);
  private appLogger: AppLogger | undefined;

  constructor(private readonly metrics: MetricsService) {}

  /** Access lines go to the application's logger by its direct path (`logFields`), not through Nest's `Logger`. */
  writeTo(logger: AppLogger): void {
    this.appLogger = logger;
  }

  /**
   * The duration histogram's series of a method, route and status, looked up once: prom-client
   * hashes the labels at every `observe` otherwise. Routes are patterns and statuses few, so the
   * series stay few.
   */
  private readonly series = new Map<string, { observe(seconds: number): void }>();
  private durationOf(method: string, route: string, status: number) {
    const key = `${method} ${status} ${route}`;
    let series = this.series.get(key);
    if (!series) {
      series = this.metrics.httpDuration.labels({ method, route, status: String(status) });
      this.series.set(key, series);
    }
    return series;
  }

  readonly middleware = (request: Request, response: Response, next: NextFunction): void => {
    const started = performance.now();
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      this.record(request, response, performance.now() - started);
    };
    response.once('finish', end);
    response.once('close', end);
    next();
  };

  private record(request: Request, response: Response, elapsedMs: number): void {
    const status = response.writableFinished ? response.statusCode : 499;
    const route = routeOf(request);
    this.durationOf(request.method, route, status).observe(elapsedMs / 1000);
    const durationMs = Math.round(elapsedMs);
    const url = request.originalUrl;
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const code = (response.locals as Record<string, unknown>)[ERROR_CODE_LOCAL];
    const error = typeof code === 'string' ? ` ${code}${CODE_NOTES[code] ? ` ${CODE_NOTES[code]}` : ''}` : '';
    const message = `${request.method} ${path} ${status}${error} ${durationMs}ms`;
    const fields = {
      requestId: String(response.getHeader(REQUEST_ID_HEADER) ?? ''),
      method: request.method,
      path,
      status,
      ...(typeof code === 'string' ? { code } : {}),
      durationMs,
    };
    if (this.appLogger) this.appLogger.logFields(CONTEXT, message, fields);
    else this.logger.log(message, fields);
  }
}

/** The matched route's pattern, or `unmatched` for a 404 of no route (any path could be sent). */
function routeOf(request: Request): string {
  const route = (request as { route?: { path?: unknown } }).route?.path;
  return typeof route === 'string' ? `${request.baseUrl ?? ''}${route}` : 'unmatched';
}
