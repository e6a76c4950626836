import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { CommitOutcomeUnknownError, isConnectionError } from '../database/database-errors';
import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import { Dialect, type NamedLock } from '../database/dialect';
import { TableLocksService, type TableLease, type WriteLease } from '../database/table-locks.service';
import type { TableName } from '../database/tables';
import { BatchTransaction } from '../database/batch-transaction';
import { Telemetry } from '../observability/telemetry.service';
import { MigrationRunsRepository, type NewRun, type RunEnd } from './repositories/migration-runs.repository';

/** The one reason of a run that ended because its process stopped (or died) while it loaded or waited. */
export const INTERRUPTED_REASON =
  'interrupted: the service stopped during this run; the batches counted here were committed';

const SWEEP_EVERY_MS = 15_000;
const PENDING_RETRY_MS = 2000;

const DATABASE_AWAY =
  'The database stopped answering before the run could be ended; the batches counted here are committed';

/**
 * A run's life, from its row to its end: starts runs (loaded at once, or queued by an async upload
 * and loaded later), keeps them alive, and ends them (completed, failed, interrupted).
 *
 * Alive means holding the run's named lock (Dialect.tryLock, on a connection of its own), taken
 * before the run row is committed and released once its end is: the database frees it the moment
 * the process or its connection dies. So a `running` run whose lock is free has lost its process,
 * and is ended as interrupted: at start, and on a database shared by replicas every 15 s as well,
 * by any replica. (On SQLite the locks live in this process, which owns the file.)
 */
@Injectable()
export class RunLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MigrationRuns');
  /** Runs of this process that have not ended, with the lock that says so. */
  private readonly live = new Map<number, NamedLock>();
  /** Live runs whose lock went with its connection: taken again at the next sweep. */
  private readonly lockLost = new Set<number>();
  private sweeper: NodeJS.Timeout | null = null;
  /** Sweeps run one after another: two at once would take a lost lock twice. */
  private sweeps: Promise<unknown> = Promise.resolve();
  /** Runs of this process that could not be ended because the database was away; ended when it is back. */
  private readonly pending = new Map<number, RunEnd>();
  private pendingTimer: NodeJS.Timeout | null = null;
  /** Runs of this process loading now, each in one of MAX_CONCURRENT_RUNS places. */
  private readonly loading = new Set<number>();
  /** Places taken by runs whose row is still being created. */
  private reserved = 0;
  /** Queued runs waiting for a place, woken one at a time as places free up. */
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly runs: MigrationRunsRepository,
    private readonly locks: TableLocksService,
    private readonly transaction: BatchTransaction,
    private readonly dialect: Dialect,
    private readonly telemetry: Telemetry,
    private readonly config: AppConfig,
  ) {
    // A restore on any replica asks whether a run writes its table.
    locks.checkLiveWritersWith((table) => this.findLoadingRun(table));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.endRunsOfDeadProcesses();
    if (!this.dialect.sharedByProcesses) return;
    this.sweeper = setInterval(() => void this.endRunsOfDeadProcesses(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of [this.sweeper, this.pendingTimer]) if (timer) clearInterval(timer);
    await Promise.all([...this.live.values()].map((lock) => lock.release()));
    this.live.clear();
  }

  /**
   * Ends, as interrupted, the runs left `running` by a process that is gone: their lock is free.
   * Returns the runs so ended; never throws (the next sweep tries again).
   */
  endRunsOfDeadProcesses(): Promise<number[]> {
    const sweep = this.sweeps.then(() => this.sweep());
    this.sweeps = sweep;
    return sweep;
  }

  private async sweep(): Promise<number[]> {
    try {
      await this.lockAgain();
      const dead: number[] = [];
      for (const id of await this.runs.findRunningRunIds()) {
        if (!this.live.has(id) && !(await this.dialect.isLocked(runLockName(id)))) dead.push(id);
      }
      const ended = await this.runs.failInterruptedRuns(dead, INTERRUPTED_REASON);
      if (ended.length > 0) this.logger.warn(`Marked interrupted runs as failed: ${ended.join(', ')}`);
      return ended;
    } catch (error) {
      this.logger.error(`Could not check for interrupted runs: ${error instanceof Error ? error.message : error}`);
      return [];
    }
  }

  /**
   * Starts a run that loads at once (an upload's file, a JSON batch): only when no restore holds its
   * table (409 TABLE_BUSY otherwise). The run row is committed before the check across replicas, so
   * a restore starting meanwhile sees the run; a run refused at that point is ended as failed.
   */
  async start(newRun: NewRun): Promise<{ run: MigrationRunEntity; lease: TableLease }> {
    this.reservePlace();
    try {
      const lease = this.locks.beginWrite(newRun.table);
      try {
        const run = await this.create(newRun);
        this.loading.add(run.id);
        this.telemetry.runStarted(run);
        await this.confirmOrEnd(run.id, lease);
        return { run, lease };
      } catch (error) {
        await lease.release();
        throw error;
      }
    } finally {
      this.reserved -= 1;
      this.wake();
    }
  }

  /**
   * Starts the runs of an async upload, queued: every id is known at once, and each run is kept
   * alive until it ends. A run that could not be created ends the ones that were.
   */
  async queue(newRuns: NewRun[]): Promise<MigrationRunEntity[]> {
    const created: MigrationRunEntity[] = [];
    try {
      for (const newRun of newRuns) created.push(await this.create(newRun));
      return created;
    } catch (error) {
      const reason = 'The upload could not be queued: the database stopped answering; nothing of it was loaded';
      await this.endQuietly(
        created.map((r) => r.id),
        reason,
      );
      throw error;
    }
  }

  /**
   * Takes a place among MAX_CONCURRENT_RUNS for a run that loads at once (an upload's file, a JSON
   * batch): 429 when none is free. Queued runs wait for a place instead (see beginQueued).
   */
  private reservePlace(): void {
    const max = this.config.maxConcurrentRuns;
    const busy = this.loading.size + this.reserved;
    if (busy >= max) {
      throw new DomainError(
        'MIGRATION_TOO_MANY_RUNS',
        `This replica already loads ${busy} runs, and ${max} may load at once (MAX_CONCURRENT_RUNS); ` +
          'try again once one has ended, or send the upload with ?async=true to have it queued',
      );
    }
    this.reserved += 1;
  }

  /** Waits for a free place among MAX_CONCURRENT_RUNS and gives it to the queued run. */
  private async waitForPlace(runId: number): Promise<void> {
    while (this.loading.size + this.reserved >= this.config.maxConcurrentRuns) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.loading.add(runId);
  }

  private wake(): void {
    this.waiting.shift()?.();
  }

  /**
   * A queued run begins to load once one of MAX_CONCURRENT_RUNS places is free: its time counts
   * from now, once no restore holds its table.
   */
  async beginQueued(run: MigrationRunEntity): Promise<TableLease> {
    await this.waitForPlace(run.id);
    let lease: WriteLease | undefined;
    try {
      await this.runs.markRunStarted(run.id);
      this.telemetry.runStarted(run);
      lease = this.locks.beginWrite(run.tableName as TableName);
      await lease.confirm();
      return lease;
    } catch (error) {
      await lease?.release();
      const reason =
        error instanceof DomainError ? error.message : 'The database stopped answering before the run could start';
      // Ended now, or once the database is back (then `end` throws DATABASE_UNAVAILABLE): the caller hears the cause.
      await this.end(run.id, { status: 'failed', error: reason, headerSkipped: false }).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Ends a run of this process. When the database is away, the run is ended as soon as it answers
   * again (its counters already hold exactly the committed batches) and the caller gets a 503.
   */
  async end(runId: number, end: RunEnd): Promise<MigrationRunEntity> {
    try {
      // Ending a run is idempotent, so an end whose COMMIT was cut is simply written again.
      const attempt = () =>
        this.runs.finishRun(runId, end).catch((error: unknown) => {
          throw error instanceof CommitOutcomeUnknownError ? error.cause : error;
        });
      const ended = await this.transaction.retrying(attempt);
      await this.forget(runId);
      this.telemetry.runEnded(ended);
      return ended;
    } catch (error) {
      if (!isConnectionError(error)) {
        // Not ended, but no longer held: the next sweep, here or on a replica, ends it as interrupted.
        await this.forget(runId);
        throw error;
      }
      this.pending.set(runId, end.status === 'completed' ? { ...end, status: 'failed', error: DATABASE_AWAY } : end);
      this.pendingTimer ??= setInterval(() => void this.endPending(), PENDING_RETRY_MS);
      this.pendingTimer.unref();
      throw new DomainError(
        'DATABASE_UNAVAILABLE',
        `The database stopped answering during run ${runId}; the run is marked failed, with the batches it committed, as soon as the database is back`,
        { runId },
      );
    }
  }

  /** Ends queued runs that will not load (the service is stopping), as interrupted; never throws. */
  async interrupt(runIds: number[]): Promise<void> {
    await this.endQuietly(runIds, INTERRUPTED_REASON);
  }

  private async create(newRun: NewRun): Promise<MigrationRunEntity> {
    let lock: NamedLock | undefined;
    try {
      const run = await this.runs.createRun(newRun, async (runId) => {
        // Held before the row is committed, so no sweeper ever sees the run without its lock.
        await lock?.release();
        lock = await this.holdRunLock(runId);
      });
      this.live.set(run.id, lock as NamedLock);
      return run;
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  private async holdRunLock(runId: number): Promise<NamedLock> {
    const lock = await this.dialect.tryLock(runLockName(runId));
    if (!lock) throw new Error(`The lock of run ${runId} is already held`);
    lock.onLost(() => {
      if (this.live.get(runId) === lock) this.lockLost.add(runId);
    });
    return lock;
  }

  /** Takes again the locks of live runs whose connection was lost (the database went away and came back). */
  private async lockAgain(): Promise<void> {
    for (const runId of this.lockLost) {
      if (this.live.has(runId)) this.live.set(runId, await this.holdRunLock(runId));
      this.lockLost.delete(runId);
    }
  }

  /** A run of `table` that a live process is loading (or has queued), if any, on any replica. */
  private async findLoadingRun(table: TableName): Promise<number | undefined> {
    for (const id of await this.runs.findRunningRunIds(table)) {
      if (await this.dialect.isLocked(runLockName(id))) return id;
    }
    return undefined;
  }

  private async confirmOrEnd(runId: number, lease: WriteLease): Promise<void> {
    try {
      await lease.confirm();
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'refused';
      await this.end(runId, { status: 'failed', error: reason, headerSkipped: false });
      throw error;
    }
  }

  /** Once a run's end is committed: its lock goes. */
  private async forget(runId: number): Promise<void> {
    if (this.loading.delete(runId)) this.wake();
    const lock = this.live.get(runId);
    this.live.delete(runId);
    this.lockLost.delete(runId);
    await lock?.release();
  }

  private async endQuietly(runIds: number[], reason: string): Promise<void> {
    for (const id of runIds) {
      try {
        this.telemetry.runEnded(
          await this.runs.finishRun(id, { status: 'failed', error: reason, headerSkipped: false }),
        );
      } catch (error) {
        // Its lock goes all the same: the next sweep, here or on a replica, ends it as interrupted.
        this.logger.error(`Run ${id} could not be ended: ${String(error)}`, { runId: id });
      } finally {
        await this.forget(id);
      }
    }
  }

  private async endPending(): Promise<void> {
    for (const [runId, end] of this.pending) {
      try {
        this.telemetry.runEnded(await this.runs.finishRun(runId, end));
        this.pending.delete(runId);
        await this.forget(runId);
        this.logger.warn(`Run ${runId} marked ${end.status} now that the database is back`);
      } catch {
        return;
      }
    }
    if (this.pending.size === 0 && this.pendingTimer) {
      clearInterval(this.pendingTimer);
      this.pendingTimer = null;
    }
  }
}

/** The named lock a run holds while it loads or waits in the queue. */
function runLockName(runId: number): string {
  return `hr_run_${runId}`;
}
