import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { LeaseKeeper } from '../coordination/lease-keeper';
import { LeaseNames } from '../coordination/lease-names';
import type { Lease } from '../coordination/lease-store';
import { TableGuard, type Fence, type TableLease, type WriteLease } from '../coordination/table-guard';
import { CommitOutcomeUnknownError, isConnectionError } from '../database/database-errors';
import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import { Dialect } from '../database/dialect';
import type { TableName } from '../database/tables';
import { BatchTransaction } from '../database/batch-transaction';
import { Telemetry } from '../observability/telemetry.service';
import { MigrationRunsRepository, type NewRun, type RunEnd } from './repositories/migration-runs.repository';

/** A run's hold on its table, with the fence each of its batches' transactions runs. */
export interface RunHold extends TableLease {
  fence: Fence;
}

/** The one reason of a run that ended because its process stopped (or died) while it loaded or waited. */
export const INTERRUPTED_REASON =
  'interrupted: the service stopped during this run; the batches counted here were committed';

/** How often replicas sharing a database look for runs whose replica is gone (leases expire in 10 s). */
const SWEEP_EVERY_MS = 5000;
const PENDING_RETRY_MS = 2000;

const DATABASE_AWAY =
  'The database stopped answering before the run could be ended; the batches counted here are committed';

/**
 * A run's life, from its row to its end: starts runs (loaded at once, or queued by an async upload
 * and loaded later), keeps them alive, and ends them (completed, failed, interrupted).
 *
 * Alive means holding the run's lease (LeaseNames.run), created in the transaction that commits
 * the run row and renewed by the LeaseKeeper until the run's end is committed. A `running` run
 * whose lease has expired, or whose replica is known gone (LeaseKeeper), has lost its process: it
 * is taken over and ended as interrupted, at start and, on a database shared by replicas, every
 * 5 s by any replica. Each batch's transaction is fenced by the lease, so a replica that lost its
 * run (paused, cut off) commits nothing more once another replica has taken it over.
 */
@Injectable()
export class RunLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MigrationRuns');
  /** Runs of this process that have not ended, with the lease that says so. */
  private readonly live = new Map<number, Lease>();
  /** Runs of this process loading now, each in one of MAX_CONCURRENT_RUNS places. */
  private readonly loading = new Set<number>();
  /** Places taken by runs whose row is still being created. */
  private reserved = 0;
  /** Queued runs waiting for a place, woken one at a time as places free up. */
  private readonly waiting: (() => void)[] = [];
  private sweeper: NodeJS.Timeout | null = null;
  /** Sweeps run one after another: two at once would take a run over twice. */
  private sweeps: Promise<unknown> = Promise.resolve();
  /** Runs of this process that could not be ended because the database was away; ended when it is back. */
  private readonly pending = new Map<number, RunEnd>();
  private pendingTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly runs: MigrationRunsRepository,
    private readonly guard: TableGuard,
    private readonly keeper: LeaseKeeper,
    private readonly transaction: BatchTransaction,
    private readonly dialect: Dialect,
    private readonly telemetry: Telemetry,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.endRunsOfDeadProcesses();
    if (!this.dialect.sharedByProcesses) return;
    this.sweeper = setInterval(() => void this.endRunsOfDeadProcesses(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of [this.sweeper, this.pendingTimer]) if (timer) clearInterval(timer);
    await Promise.all([...this.live.values()].map((lease) => this.keeper.release(lease).catch(() => undefined)));
    this.live.clear();
  }

  /**
   * Ends, as interrupted, the runs left `running` by a process that is gone: their lease has expired
   * or its replica is gone.
   * Returns the runs so ended; never throws (the next sweep tries again).
   */
  endRunsOfDeadProcesses(): Promise<number[]> {
    const sweep = this.sweeps.then(() => this.sweep());
    this.sweeps = sweep;
    return sweep;
  }

  private async sweep(): Promise<number[]> {
    try {
      const ended: number[] = [];
      for (const { id, table } of await this.runs.findRunningRuns()) {
        if (this.live.has(id)) continue;
        // Taking the lease over bumps its token: from then on the old holder's batches are refused.
        const lease = await this.keeper.take(LeaseNames.run(table, id));
        if (!lease) continue;
        try {
          ended.push(...(await this.runs.failInterruptedRuns([id], INTERRUPTED_REASON)));
        } finally {
          await this.keeper.release(lease);
        }
      }
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
  async start(newRun: NewRun): Promise<{ run: MigrationRunEntity; lease: RunHold }> {
    this.reservePlace();
    try {
      const lease = this.guard.beginWrite(newRun.table);
      try {
        const run = await this.create(newRun);
        this.loading.add(run.id);
        this.telemetry.runStarted(run);
        await this.confirmOrEnd(run.id, lease);
        return { run, lease: { release: lease.release, fence: this.fenceOf(run.id) } };
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
  async beginQueued(run: MigrationRunEntity): Promise<RunHold> {
    await this.waitForPlace(run.id);
    let lease: WriteLease | undefined;
    try {
      await this.runs.markRunStarted(run.id);
      this.telemetry.runStarted(run);
      lease = this.guard.beginWrite(run.tableName as TableName);
      await lease.confirm();
      return { release: lease.release, fence: this.fenceOf(run.id) };
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
    let lease: Lease | undefined;
    try {
      // Created in the transaction of the run row: no replica ever sees the run without its lease.
      const run = await this.runs.createRun(newRun, async (runId, runner) => {
        lease = await this.keeper.create(runner, LeaseNames.run(newRun.table, runId));
      });
      this.live.set(run.id, lease as Lease);
      return run;
    } catch (error) {
      if (lease) await this.keeper.release(lease).catch(() => undefined);
      throw error;
    }
  }

  /** In each batch's transaction: commits only while this replica holds the run's lease. */
  private fenceOf(runId: number): Fence {
    return async (runner) => {
      const lease = this.live.get(runId);
      if (lease) await this.keeper.fence(runner, lease);
    };
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

  /** Once a run's end is committed: its lease goes. */
  private async forget(runId: number): Promise<void> {
    if (this.loading.delete(runId)) this.wake();
    const lease = this.live.get(runId);
    this.live.delete(runId);
    if (lease) await this.keeper.release(lease).catch(() => undefined);
  }

  private async endQuietly(runIds: number[], reason: string): Promise<void> {
    for (const id of runIds) {
      try {
        this.telemetry.runEnded(
          await this.runs.finishRun(id, { status: 'failed', error: reason, headerSkipped: false }),
        );
      } catch (error) {
        // Its lease goes all the same: the next sweep, here or on a replica, ends it as interrupted.
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
