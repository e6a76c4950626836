import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import type { Request } from 'express';
import type { Writable } from 'node:stream';
import { catchError, defer, from, mergeAll, mergeMap, Observable, race, throwError } from 'rxjs';
import { DomainError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { RunStorage } from './run-storage';
import { MAX_FILES_PER_REQUEST, NOT_A_FORM, uploadError, withLoadedRuns } from './upload-errors';
import { sessionOf, UploadSession } from './upload-session';
import { UploadSpool } from './upload-spool';

/**
 * Receives `POST /migrate` through multer: each file goes into its run as it arrives (see
 * RunStorage), or to disk for `?async=true`. The handler gets the ReceivedUpload once the body is
 * in. Refusals (the form's limits, MAX_UPLOAD_MB, a malformed or truncated body, an upload idle
 * for UPLOAD_IDLE_SECONDS) end the upload with the runs of the files already loaded.
 */
@Injectable()
export class UploadInterceptor implements NestInterceptor {
  private readonly multer: NestInterceptor;

  constructor(
    private readonly config: AppConfig,
    storage: RunStorage,
    private readonly spool: UploadSpool,
  ) {
    const options = {
      storage,
      // Browsers and curl send names as UTF-8 bytes without saying so.
      defParamCharset: 'utf8',
      limits: { fields: 20, fieldSize: 1024, files: MAX_FILES_PER_REQUEST, parts: 50 },
      streamHandler: (request: Request, parser: Writable) => this.watch(request, parser),
    };
    this.multer = new (AnyFilesInterceptor(options))();
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    this.checkRequest(request);
    const { async: mode, ...query } = request.query;
    const session = new UploadSession(request, query, mode === 'true', () => this.spool.folder());
    let received = false;
    const handler: CallHandler = {
      handle: () =>
        defer(() => {
          session.complete(request.body);
          received = true;
          return next.handle();
        }),
    };
    const answer = defer(() => this.multer.intercept(context, handler)).pipe(mergeAll());
    return race(answer, session.idle).pipe(
      catchError((error: unknown) =>
        from(session.settled().then(() => session.dispose())).pipe(
          mergeMap(() => throwError(() => (received ? error : withLoadedRuns(uploadError(error), session.loaded)))),
        ),
      ),
    );
  }

  private checkRequest(request: Request): void {
    const length = Number(request.headers['content-length']);
    if (Number.isFinite(length) && length > this.config.maxUploadBytes) throw this.tooLarge();
    if (!/^multipart\/form-data/i.test(request.headers['content-type'] ?? '')) {
      throw new DomainError('MIGRATION_NO_FILE', NOT_A_FORM);
    }
    const mode = request.query.async;
    if (mode !== undefined && mode !== 'true' && mode !== 'false') {
      throw new DomainError('REQUEST_INVALID', 'async must be true or false');
    }
  }

  /** Feeds the body to the parser, counting its bytes and the time since its last one. */
  private watch(request: Request, parser: Writable): void {
    let bytes = 0;
    let stopped = false;
    const stop = (error: DomainError) => {
      if (stopped) return;
      stopped = true;
      request.unpipe(parser);
      parser.destroy(error);
    };
    const idle = setTimeout(() => {
      // Paused: the load is behind and the client waits for us, so it is not idle.
      if (request.readableFlowing === false) return idle.refresh();
      const seconds = this.config.uploadIdleMs / 1000;
      const error = new DomainError(
        'MIGRATION_UPLOAD_IDLE',
        `The upload sent nothing for ${seconds} s (UPLOAD_IDLE_SECONDS), so it was stopped`,
      );
      stop(error);
      sessionOf(request).stopIdle(error);
    }, this.config.uploadIdleMs);
    // The watch never keeps a stopping process alive.
    idle.unref();
    request.on('data', (chunk: Buffer) => {
      idle.refresh();
      bytes += chunk.length;
      if (bytes > this.config.maxUploadBytes) stop(this.tooLarge());
    });
    request.once('end', () => clearTimeout(idle));
    request.once('close', () => clearTimeout(idle));
    request.pipe(parser);
  }

  private tooLarge(): DomainError {
    const mb = Math.floor(this.config.maxUploadBytes / (1024 * 1024));
    return new DomainError('REQUEST_TOO_LARGE', `The upload is larger than the limit of ${mb} MB (MAX_UPLOAD_MB)`);
  }
}
