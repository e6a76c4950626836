import { Injectable } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { Dialect } from '../database/dialect';
import type { TableName } from '../database/tables';
import { LeaseKeeper } from './lease-keeper';
import { LeaseNames } from './lease-names';
import type { Lease } from './lease-store';

/** A table taken by a run or a restore, until released. */
export interface TableLease {
  release(): Promise<void>;
}

/** A run's hold on its table: `confirm` once its run row and lease are committed, so other replicas see them. */
export interface WriteLease extends TableLease {
  confirm(): Promise<void>;
}

/** Writes in a transaction only while the run's lease is held: run in each batch's transaction. */
export type Fence = (runner: QueryRunner) => Promise<void>;

/**
 * Keeps restores and migration runs of one table from interleaving: a restore is refused (409
 * TABLE_BUSY) while a run writes the table, and a run is refused while a restore replaces it.
 * In this process a map says who holds what. Across replicas, a restore takes the lease
 * `restore:<table>` and then looks for live run leases of the table, while a run commits its run
 * lease (with its `running` row) and then looks for the restore's lease: whichever comes second
 * sees the other. When writes share one connection (SQLite), a restore excludes runs of every table.
 */
@Injectable()
export class TableGuard {
  private readonly writers = new Map<TableName, number>();
  private readonly restoring = new Set<TableName>();

  constructor(
    private readonly dialect: Dialect,
    private readonly keeper: LeaseKeeper,
  ) {}

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
      if ((await this.keeper.live(LeaseNames.restore(table), true)).length > 0) throw restoreInProgress(table);
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
    let lease: Lease | null = null;
    try {
      lease = await this.keeper.take(LeaseNames.restore(table));
      if (!lease) throw otherRestore(table);
      const [writer] = await this.keeper.live(LeaseNames.runsOf(table));
      if (writer !== undefined) throw runInProgress(table, Number(writer.slice(LeaseNames.runsOf(table).length)));
      const held = lease;
      return {
        release: async () => {
          await this.keeper.release(held).catch(() => undefined);
          await done();
        },
      };
    } catch (error) {
      if (lease) await this.keeper.release(lease).catch(() => undefined);
      await done();
      throw error;
    }
  }
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
