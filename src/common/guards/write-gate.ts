import { Injectable } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig } from '../../config/app-config';
import { DomainError } from '../errors/domain-error';
import { AllExceptionsFilter } from '../filters/all-exceptions.filter';
import { ApiKeyCheck, isWrite } from './api-key.guard';
import { WriteThrottlerGuard } from './write-throttler.guard';

/**
 * Middleware before any body parser: a write (POST, DELETE) is counted against the rate limit and
 * its key checked from the headers alone, so that a client without the key gets 429 or 401 with
 * its body never read, and the connection closed. A body that then sends nothing for
 * UPLOAD_IDLE_SECONDS is answered 408 and its connection closed (multipart uploads have their own
 * watch in the upload interceptor).
 */
@Injectable()
export class WriteGate {
  private readonly filter = new AllExceptionsFilter();

  constructor(
    private readonly keys: ApiKeyCheck,
    private readonly throttler: WriteThrottlerGuard,
    private readonly config: AppConfig,
  ) {}

  readonly middleware = (request: Request, response: Response, next: NextFunction): void => {
    if (!isWrite(request)) return next();
    this.admit(request, response).then(
      () => {
        this.watchIdle(request, response);
        next();
      },
      (error: unknown) => {
        // The unread body is not worth reading: the answer ends the connection.
        response.setHeader('Connection', 'close');
        next(error);
      },
    );
  };

  private async admit(request: Request, response: Response): Promise<void> {
    await this.throttler.countWrite(request, response);
    const failure = this.keys.writeFailure(request);
    if (failure) throw failure;
  }

  private watchIdle(request: Request, response: Response): void {
    const length = Number(request.headers['content-length'] ?? 0);
    const hasBody = request.headers['transfer-encoding'] !== undefined || length > 0;
    if (!hasBody || /^multipart\//i.test(request.headers['content-type'] ?? '')) return;
    const idle = setTimeout(() => {
      const seconds = this.config.uploadIdleMs / 1000;
      const error = new DomainError(
        'REQUEST_BODY_IDLE',
        `The request body sent nothing for ${seconds} s (UPLOAD_IDLE_SECONDS), so it was stopped`,
      );
      response.setHeader('Connection', 'close');
      this.filter.catch(error, new ExecutionContextHost([request, response]));
    }, this.config.uploadIdleMs);
    // The watch never keeps a stopping process alive.
    idle.unref();
    const stop = () => clearTimeout(idle);
    request.on('data', () => idle.refresh());
    request.once('end', stop);
    request.once('close', stop);
    response.once('finish', stop);
  }
}
