import { Global, Injectable, Module } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import type { TableName } from './tables';

/** A run beats every 10 s while it loads; on a shared MySQL database, one silent this long has lost its process. */
export const STALE_RUN_MS = 60 * 1000;

/** A table taken by a run or a restore, until released. */
export interface TableLease {
  release(): Promise<void>;
}

/** A run's hold on its table: `confirm` once its run row is committed, so other replicas see it. */
export interface WriteLease extends TableLease {
  confirm(): Promise<void>;
}

/**
 * Keeps restores and migration runs of one table from interleaving: a restore is refused (409
 * TABLE_BUSY) while a run writes the table, and a run is refused while a restore replaces it.
 * In this process a map says who holds what. Across replicas on MySQL, a restore holds the named
 * lock `hr_restore_<table>_<database hash>` (GET_LOCK) and then checks for live runs of the table, while a run
 * commits its `running` row and then checks that lock: whichever comes second sees the other.
 * SQLite has one connection for every write, so there a restore excludes runs of every table.
 */
@Injectable()
export class TableLocksService {
  private readonly writers = new Map<TableName, number>();
  private readonly restoring = new Set<TableName>();

  constructor(private readonly dataSource: DataSource) {}

  private get mysql(): boolean {
    return this.dataSource.options.type !== 'better-sqlite3';
  }

  /** For a run about to write `table`; throws TABLE_BUSY while a restore holds it. */
  beginWrite(table: TableName): WriteLease {
    if (this.restoring.has(table) || (!this.mysql && this.restoring.size > 0)) throw restoreInProgress(table);
    this.writers.set(table, (this.writers.get(table) ?? 0) + 1);
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      this.writers.set(table, (this.writers.get(table) ?? 1) - 1);
    };
    const confirm = async () => {
      if (!this.mysql) return;
      const [{ holder }] = await this.dataSource.query(`SELECT IS_USED_LOCK(${LOCK_NAME}) AS holder`, [table]);
      if (holder !== null) throw restoreInProgress(table);
    };
    return { release, confirm };
  }

  /** For a restore of `table`; throws TABLE_BUSY while a run writes it or another restore holds it. */
  async beginRestore(table: TableName): Promise<TableLease> {
    const busyHere = this.mysql
      ? (this.writers.get(table) ?? 0)
      : [...this.writers.values()].reduce((a, b) => a + b, 0);
    if (busyHere > 0) throw runInProgress(table);
    if (this.restoring.has(table)) throw otherRestore(table);
    this.restoring.add(table);
    if (!this.mysql) return { release: async () => void this.restoring.delete(table) };
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await this.lockAcrossReplicas(runner, table);
    } catch (error) {
      await runner.release();
      this.restoring.delete(table);
      throw error;
    }
    return {
      release: async () => {
        await runner.query(`DO RELEASE_LOCK(${LOCK_NAME})`, [table]).catch(() => undefined);
        await runner.release();
        this.restoring.delete(table);
      },
    };
  }

  private async lockAcrossReplicas(runner: QueryRunner, table: TableName): Promise<void> {
    const [{ got }] = await runner.query(`SELECT GET_LOCK(${LOCK_NAME}, 0) AS got`, [table]);
    if (Number(got) !== 1) throw otherRestore(table);
    const since = new Date(Date.now() - STALE_RUN_MS).toISOString().replace('T', ' ').replace('Z', '');
    const live: { id: number }[] = await runner.query(
      `SELECT id FROM migration_runs WHERE table_name = ? AND status = 'running'
        AND COALESCE(heartbeat_at, started_at) >= ? ORDER BY id LIMIT 1`,
      [table, since],
    );
    if (live.length > 0) {
      await runner.query(`DO RELEASE_LOCK(${LOCK_NAME})`, [table]);
      throw runInProgress(table, Number(live[0].id));
    }
  }
}

/**
 * The named lock of a table's restore, SQL with the table as its parameter. Named locks are
 * server-wide, so the name carries the database (hashed: names are at most 64 characters).
 */
const LOCK_NAME = "CONCAT('hr_restore_', ?, '_', LEFT(SHA1(DATABASE()), 20))";

function restoreInProgress(table: TableName): DomainError {
  return new DomainError(
    'TABLE_BUSY',
    `A restore of ${table} is in progress; send the data again when it has finished`,
    { table },
  );
}

function runInProgress(table: TableName, runId?: number): DomainError {
  const which = runId === undefined ? 'A migration run is' : `Migration run ${runId} is`;
  return new DomainError('TABLE_BUSY', `${which} writing ${table}; restore it when the run has ended`, { table });
}

function otherRestore(table: TableName): DomainError {
  return new DomainError('TABLE_BUSY', `Another restore of ${table} is in progress; try again when it has finished`, {
    table,
  });
}

@Global()
@Module({ providers: [TableLocksService], exports: [TableLocksService] })
export class TableLocksModule {}
