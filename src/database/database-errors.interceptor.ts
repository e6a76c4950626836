import { type CallHandler, type ExecutionContext, Injectable, Logger, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { catchError, type Observable } from 'rxjs';
import { DomainError } from '../common/errors/domain-error';
import { isConnectionError } from './database-errors';

/**
 * Where a lost database becomes a domain error: a request that failed because the database did not
 * answer gets `503 DATABASE_UNAVAILABLE` in the service's words; the driver's text stays in the log.
 */
@Injectable()
export class DatabaseErrorsInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Database');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (!isConnectionError(error)) throw error;
        const request = context.switchToHttp().getRequest<Request>();
        this.logger.warn(`Database unavailable on ${request.method} ${request.path}: ${String(error)}`);
        throw new DomainError('DATABASE_UNAVAILABLE', 'The database is not answering; try again in a moment');
      }),
    );
  }
}
