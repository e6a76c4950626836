import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BatchTransaction } from './batch-transaction';
import { createDialect, Dialect } from './dialect';

/** What every feature may use to talk to the database: the engine's dialect and the retrying transaction runner. */
@Global()
@Module({
  providers: [{ provide: Dialect, inject: [DataSource], useFactory: createDialect }, BatchTransaction],
  exports: [Dialect, BatchTransaction],
})
export class DatabaseModule {}
