import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { BatchTransaction } from './batch-transaction';
import { DatabaseErrorsInterceptor } from './database-errors.interceptor';
import { createDialect, Dialect } from './dialect';

/**
 * What every feature may use to talk to the database: the engine's dialect and the retrying
 * transaction runner; and, for every request, a lost database answered as `503 DATABASE_UNAVAILABLE`.
 */
@Global()
@Module({
  providers: [
    { provide: Dialect, inject: [DataSource], useFactory: createDialect },
    BatchTransaction,
    { provide: APP_INTERCEPTOR, useClass: DatabaseErrorsInterceptor },
  ],
  exports: [Dialect, BatchTransaction],
})
export class DatabaseModule {}
