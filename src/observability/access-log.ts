import { Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { REQUEST_ID_HEADER } from './request-context';

/**
 * One access line per request: method, path, status, time.
 */
@Injectable()
export class AccessLog {
  private readonly logger = new Logger('HTTP');

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
    const durationMs = Math.round(elapsedMs);
    const path = request.originalUrl.split('?')[0];
    this.logger.log(`${request.method} ${path} ${status} ${durationMs}ms`, {
      requestId: String(response.getHeader(REQUEST_ID_HEADER) ?? ''),
      method: request.method,
      path,
      status,
      durationMs,
    });
  }
}
