import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';

const RETRIES = 3;
const TRANSIENT_ERRNOS = new Set([1213, 1205]); // deadlock, lock wait timeout
const TRANSIENT_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

/**
 * Runs one batch's writes as one short transaction, retrying transient lock errors with backoff.
 * SQLite has a single connection in TypeORM, so its transactions are queued one after another.
 */
@Injectable()
export class BatchTransaction {
  private sqliteQueue: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  async run<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.serialized(() => this.once(work));
      } catch (error) {
        if (attempt >= RETRIES || !isTransientDatabaseError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * 4 ** attempt));
      }
    }
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    if (this.dataSource.options.type !== 'better-sqlite3') return task();
    const next = this.sqliteQueue.then(task, task);
    this.sqliteQueue = next.catch(() => undefined);
    return next;
  }

  private async once<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      try {
        const result = await work(runner);
        await runner.commitTransaction();
        return result;
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        throw error;
      }
    } finally {
      if (this.dataSource.options.type !== 'better-sqlite3') await runner.release();
    }
  }
}

interface DriverError {
  errno?: number;
  code?: string;
}

function driverError(error: unknown): DriverError {
  if (typeof error !== 'object' || error === null) return {};
  const inner = (error as { driverError?: unknown }).driverError;
  return (typeof inner === 'object' && inner !== null ? inner : error) as DriverError;
}

export function isTransientDatabaseError(error: unknown): boolean {
  const { errno, code } = driverError(error);
  return (errno !== undefined && TRANSIENT_ERRNOS.has(errno)) || (code !== undefined && TRANSIENT_CODES.has(code));
}

/** Why the database refused a batch, in words safe to show: never the SQL, never the values. */
export function describeDatabaseError(error: unknown): string {
  const { errno, code } = driverError(error);
  if (errno === 1452 || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return 'the database refused the batch: a referenced department or job does not exist';
  }
  if (isTransientDatabaseError(error)) return 'the database stayed locked after several retries';
  const safeCode = typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? ` (${code})` : '';
  return `the database refused the batch${safeCode}`;
}
