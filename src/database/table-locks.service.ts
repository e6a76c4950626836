import { Global, Injectable, Module } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { Dialect } from './dialect';
import type { TableName } from './tables';

/** A table taken by a run or a restore, until released. */
export interface TableLease {
  release(): Promise<void>;
}

/** A run's hold on its table: `confirm` once its run row is committed, so other replicas see it. */
export interface WriteLease extends TableLease {
  confirm(): Promise<void>;
}

/** The id of a live writer of `table` in any process, if there is one; registered by whoever writes tables. */
export type LiveWriterCheck = (table: TableName) => Promise<number | undefined>;

/**
 * Keeps restores and migration runs of one table from interleaving: a restore is refused (409
 * TABLE_BUSY) while a run writes the table, and a run is refused while a restore replaces it.
 * In this process a map says who holds what. Across processes sharing a database, a restore holds
 * the named lock `hr_restore_<table>` and then asks the registered LiveWriterCheck, while a run
 * commits its `running` row and then checks that lock: whichever comes second sees the other.
 * When writes share one connection (SQLite), a restore excludes runs of every table.
 */
@Injectable()
export class TableLocksService {
  private readonly writers = new Map<TableName, number>();
  private readonly restoring = new Set<TableName>();
  private liveWriter: LiveWriterCheck = async () => undefined;

  constructor(private readonly dialect: Dialect) {}

  /** How a restore finds the live writers of other processes. */
  checkLiveWritersWith(check: LiveWriterCheck): void {
    this.liveWriter = check;
  }

  /** For a run about to write `table`; throws TABLE_BUSY while a restore holds it. */
  beginWrite(table: TableName): WriteLease {
    const shared = !this.dialect.parallelWrites;
    if (this.restoring.has(table) || (shared && this.restoring.size > 0)) throw restoreInProgress(table);
    this.writers.set(table, (this.writers.get(table) ?? 0) + 1);
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      this.writers.set(table, (this.writers.get(table) ?? 1) - 1);
    };
    const confirm = async () => {
      if (!this.dialect.sharedByProcesses) return;
      if (await this.dialect.isLocked(restoreLockName(table))) throw restoreInProgress(table);
    };
    return { release, confirm };
  }

  /** For a restore of `table`; throws TABLE_BUSY while a run writes it or another restore holds it. */
  async beginRestore(table: TableName): Promise<TableLease> {
    const busyHere = this.dialect.parallelWrites
      ? (this.writers.get(table) ?? 0)
      : [...this.writers.values()].reduce((a, b) => a + b, 0);
    if (busyHere > 0) throw runInProgress(table);
    if (this.restoring.has(table)) throw otherRestore(table);
    this.restoring.add(table);
    const done = async () => void this.restoring.delete(table);
    if (!this.dialect.sharedByProcesses) return { release: done };
    try {
      const lock = await this.dialect.tryLock(restoreLockName(table));
      if (!lock) throw otherRestore(table);
      const writer = await this.liveWriter(table).catch(async (error: unknown) => {
        await lock.release();
        throw error;
      });
      if (writer !== undefined) {
        await lock.release();
        throw runInProgress(table, writer);
      }
      return {
        release: async () => {
          await lock.release();
          await done();
        },
      };
    } catch (error) {
      await done();
      throw error;
    }
  }
}

/** The named lock of a table's restore. */
function restoreLockName(table: TableName): string {
  return `hr_restore_${table}`;
}

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
