import { Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Telemetry } from '../observability/telemetry.service';
import {
  CommitOutcomeUnknownError,
  DatabaseUnavailableError,
  databaseErrorKind,
  driverError,
  isConnectionError,
  isDuplicateKeyError,
  isForeignKeyError,
  isLockError,
  isUnsentStatementError,
} from './database-errors';
import { Dialect } from './dialect';

/**
 * Deadlocks, lock timeouts and, on a Galera cluster, COMMITs aborted by certification (1213: a
 * conflicting transaction of another node committed first) are retried this many times, after
 * 50 ms doubling up to 1 s, with jitter so that two nodes' retries do not meet again.
 */
const LOCK_RETRIES = 8;
const DEFAULT_CONNECTION_RETRY_MS = 30_000;

/** Tells, on another connection, whether a transaction whose COMMIT was cut did commit. */
export type CommitCheck = () => Promise<boolean>;

/**
 * Runs one batch's writes as one short transaction, retrying transient errors with backoff:
 * deadlocks, lock timeouts and commit-certification aborts a few times, a lost connection (database restarting, network cut)
 * until the retry budget is spent. A connection lost during COMMIT leaves the outcome unknown: with
 * a CommitCheck the outcome is looked up once the database answers and the transaction runs again
 * only if it did not commit; without one, CommitOutcomeUnknownError.
 * SQLite has a single connection in TypeORM, so its transactions are queued one after another.
 */
@Injectable()
export class BatchTransaction {
  private readonly logger = new Logger('Database');
  private sqliteQueue: Promise<unknown> = Promise.resolve();
  private readonly retryMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: Dialect,
    @Optional() config?: AppConfig,
    @Optional() private readonly telemetry?: Telemetry,
  ) {
    this.retryMs = config?.databaseRetryMs ?? DEFAULT_CONNECTION_RETRY_MS;
  }

  /** Whether transactions can run side by side (MySQL: one connection each). */
  get parallel(): boolean {
    return this.dialect.parallelWrites;
  }

  async run<T>(work: (runner: QueryRunner) => Promise<T>, committed?: CommitCheck): Promise<T> {
    if (!committed) return this.retrying(() => this.serialized(() => this.once(work)));
    let result: T;
    let cut = false;
    let unanswered = false;
    const attempt = async (): Promise<T> => {
      if (unanswered) {
        if (await this.wasCommitted(committed)) return result;
        unanswered = false;
      }
      try {
        return await this.serialized(() => this.once(async (runner) => (result = await work(runner))));
      } catch (error) {
        // The connection is gone: retried with backoff like any lost connection, then looked up.
        if (error instanceof CommitOutcomeUnknownError) {
          cut = unanswered = true;
          throw error.cause;
        }
        // A run again whose first COMMIT did go through after all (MySQL finished it meanwhile) breaks the key.
        if (cut && isDuplicateKeyError(error) && (await this.wasCommitted(committed))) return result;
        throw error;
      }
    };
    try {
      return await this.retrying(attempt);
    } catch (error) {
      // The lookup itself failed for another reason than a lost connection: the outcome stays unknown.
      if (unanswered && !isConnectionError(error)) throw new CommitOutcomeUnknownError(error);
      throw error;
    }
  }

  private async wasCommitted(committed: CommitCheck): Promise<boolean> {
    const answer = await committed();
    this.logger.warn(`A COMMIT cut by a lost connection had ${answer ? '' : 'not '}committed`);
    return answer;
  }

  /** Runs a read (or any statement that is safe to repeat) with the same retries as a transaction. */
  async retrying<T>(task: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.retryMs;
    let lockRetries = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await task();
      } catch (error) {
        const kind = databaseErrorKind(error);
        if (kind) this.telemetry?.databaseError(kind);
        if (isLockError(error) && lockRetries < LOCK_RETRIES) {
          this.telemetry?.databaseRetry('lock');
          const wait = Math.min(50 * 2 ** lockRetries++, 1000);
          await sleep(wait / 2 + Math.random() * (wait / 2));
          continue;
        }
        if (!isConnectionError(error) || error instanceof CommitOutcomeUnknownError) throw error;
        const wait = Math.min(100 * 2 ** attempt, 2000);
        if (Date.now() + wait > deadline) throw new DatabaseUnavailableError(error);
        this.telemetry?.databaseRetry('connection');
        if (attempt === 0) this.logger.warn(`Lost the database connection, retrying: ${String(error)}`);
        await sleep(wait);
      }
    }
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    if (this.parallel) return task();
    const next = this.sqliteQueue.then(task, task);
    // The queue only orders tasks: a task's failure is its caller's, and the next task runs regardless.
    this.sqliteQueue = next.catch(() => undefined);
    return next;
  }

  private async once<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      // Batches never write the same ids (repeats are rejected before), so READ COMMITTED is safe and
      // spares MySQL the gap locks that make concurrent upserts deadlock.
      await runner.startTransaction(this.parallel ? 'READ COMMITTED' : undefined);
      let committing = false;
      try {
        const result = await work(runner);
        committing = true;
        await runner.commitTransaction();
        return result;
      } catch (error) {
        // A COMMIT sent on a connection that then broke may have committed; one never sent did not.
        if (committing && isConnectionError(error) && !isUnsentStatementError(error)) {
          throw new CommitOutcomeUnknownError(error);
        }
        // On a broken connection the server has rolled back already; ROLLBACK would fail too.
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } finally {
      // A connection that broke cannot be released cleanly; the pool drops it either way.
      if (this.parallel) await runner.release().catch(() => undefined);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Why the database refused a batch, in words safe to show: never the SQL, never the values. */
export function describeDatabaseError(error: unknown): string {
  const { code } = driverError(error);
  if (isForeignKeyError(error)) {
    return 'the database refused the batch: a referenced department or job does not exist';
  }
  if (isLockError(error)) return 'the database stayed locked after several retries';
  const safeCode = typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? ` (${code})` : '';
  return `the database refused the batch${safeCode}`;
}
