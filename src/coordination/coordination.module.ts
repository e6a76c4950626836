import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BatchTransaction } from '../database/batch-transaction';
import { Dialect } from '../database/dialect';
import { Leader } from './leader';
import { LeaseKeeper } from './lease-keeper';
import { LeaseStore } from './lease-store';
import { SqlLeaseStore } from './sql-lease-store';
import { TableGuard } from './table-guard';

/**
 * Everything replicas sharing a database agree on: leases (LeaseNames) in one store, kept alive by
 * the keeper; the table guard (restore vs runs) and the leader (backup schedule) built on them. Run
 * liveness (RunLifecycle) holds a lease per run through the keeper.
 */
@Global()
@Module({
  providers: [
    {
      provide: LeaseStore,
      inject: [DataSource, Dialect, BatchTransaction],
      useFactory: (dataSource: DataSource, dialect: Dialect, transaction: BatchTransaction) =>
        new SqlLeaseStore(dataSource, dialect, transaction),
    },
    LeaseKeeper,
    TableGuard,
    Leader,
  ],
  exports: [LeaseKeeper, TableGuard, Leader],
})
export class CoordinationModule {}
