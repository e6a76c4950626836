import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { ErrorTranslator } from '../common/errors/error-translator';
import { isConnectionError } from './database-errors';

/** A lost database, in the service's words: `503 DATABASE_UNAVAILABLE`; the driver's text stays in the log. */
@Injectable()
export class DatabaseErrorTranslator extends ErrorTranslator {
  translate(error: unknown): DomainError | undefined {
    if (!isConnectionError(error)) return undefined;
    return new DomainError('DATABASE_UNAVAILABLE', 'The database is not answering; try again in a moment');
  }
}
