import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BatchTransaction } from './batch-transaction';
import { ErrorTranslator } from '../common/errors/error-translator';
import { DatabaseErrorTranslator } from './database-error.translator';
import { createDialect, Dialect } from './dialect';

/**
 * What every feature may use to talk to the database: the engine's dialect and the retrying
 * transaction runner; and, for the exception filter, a lost database as `503 DATABASE_UNAVAILABLE`.
 */
@Global()
@Module({
  providers: [
    { provide: Dialect, inject: [DataSource], useFactory: createDialect },
    BatchTransaction,
    { provide: ErrorTranslator, useClass: DatabaseErrorTranslator },
  ],
  exports: [Dialect, BatchTransaction, ErrorTranslator],
})
export class DatabaseModule {}
