import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config';
import { POSTGRES_SESSION_OPTIONS } from './dialects/postgres.dialect';
import { DepartmentEntity } from './entities/department.entity';
import { HiredEmployeeEntity } from './entities/hired-employee.entity';
import { JobEntity } from './entities/job.entity';
import { MigrationRunEntity } from './entities/migration-run.entity';
import { RejectedBatchEntity } from './entities/rejected-batch.entity';
import { InitialSchema1732500000000 } from './migrations/1732500000000-initial-schema';
import { RunHeartbeat1732600000000 } from './migrations/1732600000000-run-heartbeat';
import { RunProgress1732700000000 } from './migrations/1732700000000-run-progress';
import { RunBatches1732800000000 } from './migrations/1732800000000-run-batches';
import { RowsToFix1732900000000 } from './migrations/1732900000000-rows-to-fix';
import { DryRuns1732910000000 } from './migrations/1732910000000-dry-runs';
import { RejectedRows1732950000000 } from './migrations/1732950000000-rejected-rows';
import { CoordinationLeases1733000000000 } from './migrations/1733000000000-coordination-leases';
import { PackedRejectedRows1733100000000 } from './migrations/1733100000000-packed-rejected-rows';

/** WAL pages after which SQLite checkpoints (4 KB each); SQLite's own default is 1,000. */
export const SQLITE_CHECKPOINT_PAGES = 20_000;

export const ENTITIES = [DepartmentEntity, JobEntity, HiredEmployeeEntity, MigrationRunEntity, RejectedBatchEntity];
export const SCHEMA_MIGRATIONS = [
  InitialSchema1732500000000,
  RunHeartbeat1732600000000,
  RunProgress1732700000000,
  RunBatches1732800000000,
  RowsToFix1732900000000,
  DryRuns1732910000000,
  RejectedRows1732950000000,
  CoordinationLeases1733000000000,
  PackedRejectedRows1733100000000,
];

/** The one source of database options, for the application, the tests and the TypeORM CLI alike. */
export function buildDataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: SCHEMA_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsRun: true,
    synchronize: false,
    // TypeORM would log a failed statement with every value (whole batches of personal data);
    // the run log and the exception filter report database errors instead, without SQL.
    logging: false,
  };
  if (database.type === 'sqlite') {
    if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: database.path,
      // WAL lets the read connection (read-database.ts) see the last commit while a write transaction is open;
      // busy_timeout waits instead of failing. A batch of employees changes pages all over the datetime
      // index, so the WAL passes SQLite's default checkpoint size (1,000 pages) at almost every commit;
      // checkpointing every 20,000 pages keeps a long load from checkpointing at every batch.
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 10000');
        db.pragma('synchronous = NORMAL');
        db.pragma(`wal_autocheckpoint = ${SQLITE_CHECKPOINT_PAGES}`);
      },
    };
  }
  if (database.type === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: database.url,
      // Instants given or read as text are UTC on every connection.
      extra: { max: 10, options: POSTGRES_SESSION_OPTIONS },
    };
  }
  return {
    ...common,
    type: 'mysql',
    url: database.url,
    charset: 'utf8mb4',
    // Dates travel as UTC in both directions.
    timezone: 'Z',
    // trace: mysql2 would capture the caller's stack trace at every query, about 0.25 s of CPU
    // per million rows loaded; the service never shows a driver's stack.
    extra: { connectionLimit: 10, trace: false },
  };
}
