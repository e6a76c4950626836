import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { CommitOutcomeUnknownError, isConnectionError } from '../database/database-errors';
import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import { Dialect } from '../database/dialect';
import { TableLocksService, type TableLease, type WriteLease } from '../database/table-locks.service';
import type { TableName } from '../database/tables';
import { BatchTransaction } from '../database/batch-transaction';
import { MigrationRunsRepository, type NewRun, type RunEnd } from './repositories/migration-runs.repository';

/** The one reason of a run that ended because its process stopped (or died) while it loaded or waited. */
export const INTERRUPTED_REASON =
  'interrupted: the service stopped during this run; the batches counted here were committed';

/** How often the live runs of this process show they are alive; far below STALE_RUN_MS. */
export const HEARTBEAT_MS = 10_000;
/** On a database shared by replicas, a run silent this long has lost its process. */
export const STALE_RUN_MS = 60_000;
const SWEEP_EVERY_MS = 15_000;
const PENDING_RETRY_MS = 2000;

const DATABASE_AWAY =
  'The database stopped answering before the run could be ended; the batches counted here are committed';

/**
 * A run's life, from its row to its end: starts runs (loaded at once, or queued by an async upload
 * and loaded later), keeps every live run of this process alive with one heartbeat, and ends them
 * (completed, failed, interrupted). It also ends the runs a dead process left `running`: on SQLite
 * this process owns the file, so every such run is interrupted at start; on MySQL other replicas
 * may be loading right now, so only runs without a heartbeat for STALE_RUN_MS are ended, at start
 * and then every 15 s.
 */
@Injectable()
export class RunLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MigrationRuns');
  /** Runs of this process that have not ended: beaten together, on one clock. */
  private readonly live = new Set<number>();
  private heartbeat: NodeJS.Timeout | null = null;
  private beating = false;
  private sweeper: NodeJS.Timeout | null = null;
  /** Runs of this process that could not be ended because the database was away; ended when it is back. */
  private readonly pending = new Map<number, RunEnd>();
  private pendingTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly runs: MigrationRunsRepository,
    private readonly locks: TableLocksService,
    private readonly transaction: BatchTransaction,
    private readonly dialect: Dialect,
  ) {
    // A restore on any replica asks whether a run writes its table.
    locks.checkLiveWritersWith((table) => this.runs.findLiveRun(table, new Date(Date.now() - STALE_RUN_MS)));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.dialect.sharedByProcesses) {
      await this.endDeadRuns(new Date());
      return;
    }
    await this.endDeadRuns(new Date(Date.now() - STALE_RUN_MS));
    this.sweeper = setInterval(() => void this.endDeadRuns(new Date(Date.now() - STALE_RUN_MS)), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    for (const timer of [this.sweeper, this.pendingTimer, this.heartbeat]) if (timer) clearInterval(timer);
  }

  /**
   * Starts a run that loads at once (an upload's file, a JSON batch): only when no restore holds its
   * table (409 TABLE_BUSY otherwise). The run row is committed before the check across replicas, so
   * a restore starting meanwhile sees the run; a run refused at that point is ended as failed.
   */
  async start(newRun: NewRun): Promise<{ run: MigrationRunEntity; lease: TableLease }> {
    const lease = this.locks.beginWrite(newRun.table);
    try {
      const run = await this.create(newRun);
      await this.confirmOrEnd(run.id, lease);
      return { run, lease };
    } catch (error) {
      await lease.release();
      throw error;
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

  /** A queued run begins to load: its time counts from now, once no restore holds its table. */
  async beginQueued(run: MigrationRunEntity): Promise<TableLease> {
    let lease: WriteLease | undefined;
    try {
      await this.runs.markRunStarted(run.id);
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
      this.forget(runId);
      return ended;
    } catch (error) {
      if (!isConnectionError(error)) {
        // Not ended, and no longer beaten: the sweeper ends it once its heartbeat is stale.
        this.forget(runId);
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
    const run = await this.runs.createRun(newRun);
    this.live.add(run.id);
    this.heartbeat ??= setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
    return run;
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

  private forget(runId: number): void {
    this.live.delete(runId);
    if (this.live.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
    }
  }

  /** One sign of life for every live run, whether its batches move or wait (a slow client, a lock wait). */
  private async beat(): Promise<void> {
    if (this.beating || this.live.size === 0) return;
    this.beating = true;
    try {
      await this.runs.touchRuns([...this.live]);
    } catch (error) {
      // A missed beat is not worth failing a run over: the next one comes soon.
      this.logger.warn(`Heartbeat: ${String(error)}`);
    } finally {
      this.beating = false;
    }
  }

  private async endQuietly(runIds: number[], reason: string): Promise<void> {
    for (const id of runIds) {
      await this.runs
        .finishRun(id, { status: 'failed', error: reason, headerSkipped: false })
        .then(() => this.forget(id))
        .catch((error: unknown) => this.logger.error(`Run ${id} could not be ended: ${String(error)}`));
    }
  }

  private async endPending(): Promise<void> {
    for (const [runId, end] of this.pending) {
      try {
        await this.runs.finishRun(runId, end);
        this.pending.delete(runId);
        this.forget(runId);
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

  /** Ends, as interrupted, the runs still `running` whose process died (silent since `staleBefore`). */
  private async endDeadRuns(staleBefore: Date): Promise<void> {
    try {
      const ids = await this.runs.failInterruptedRuns(staleBefore, INTERRUPTED_REASON);
      if (ids.length > 0) this.logger.warn(`Marked interrupted runs as failed: ${ids.join(', ')}`);
    } catch (error) {
      this.logger.error(`Could not check for interrupted runs: ${error instanceof Error ? error.message : error}`);
    }
  }
}
