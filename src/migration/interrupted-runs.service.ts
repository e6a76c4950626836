import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { CommitOutcomeUnknownError, isConnectionError } from '../database/database-errors';
import { STALE_RUN_MS } from '../database/table-locks.service';
import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import { BatchTransaction } from './repositories/batch-transaction';
import { MigrationRunsRepository, type RunEnd } from './repositories/migration-runs.repository';

export { STALE_RUN_MS };
const SWEEP_EVERY_MS = 15 * 1000;
const PENDING_RETRY_MS = 2000;

const INTERRUPTED =
  'The database stopped answering before the run could be ended; the batches counted here are committed';

/**
 * Ends the runs a dead process left `running`. On SQLite this process owns the file, so every
 * such run is interrupted at start. On MySQL other replicas may be loading right now, so only
 * runs without a heartbeat for STALE_RUN_MS (a minute) are ended, at start and then every 15 s.
 */
@Injectable()
export class InterruptedRunsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MigrationRuns');
  private timer: NodeJS.Timeout | null = null;
  /** Runs of this process that could not be ended because the database was away; ended when it is back. */
  private readonly pending = new Map<number, RunEnd>();
  private pendingTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly runs: MigrationRunsRepository,
    private readonly config: AppConfig,
    private readonly transaction: BatchTransaction,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.database.type === 'sqlite') {
      await this.sweep(new Date());
      return;
    }
    await this.sweep(new Date(Date.now() - STALE_RUN_MS));
    this.timer = setInterval(() => void this.sweep(new Date(Date.now() - STALE_RUN_MS)), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.pendingTimer) clearInterval(this.pendingTimer);
  }

  /**
   * Ends a run of this process. When the database is away, the run is ended as soon as it answers
   * again (its counters already hold exactly the committed batches) and the caller gets a 503.
   */
  async finish(runId: number, end: RunEnd): Promise<MigrationRunEntity> {
    try {
      // Ending a run is idempotent, so an end whose COMMIT was cut is simply written again.
      const attempt = () =>
        this.runs.finishRun(runId, end).catch((error: unknown) => {
          throw error instanceof CommitOutcomeUnknownError ? error.cause : error;
        });
      return await this.transaction.retrying(attempt);
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      this.pending.set(runId, end.status === 'completed' ? { ...end, status: 'failed', error: INTERRUPTED } : end);
      this.pendingTimer ??= setInterval(() => void this.finishPending(), PENDING_RETRY_MS);
      this.pendingTimer.unref();
      throw new DomainError(
        'DATABASE_UNAVAILABLE',
        `The database stopped answering during run ${runId}; the run is marked failed, with the batches it committed, as soon as the database is back`,
        { runId },
      );
    }
  }

  private async finishPending(): Promise<void> {
    for (const [runId, end] of this.pending) {
      try {
        await this.runs.finishRun(runId, end);
        this.pending.delete(runId);
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

  private async sweep(staleBefore: Date): Promise<void> {
    try {
      const ids = await this.runs.failInterruptedRuns(staleBefore);
      if (ids.length > 0) this.logger.warn(`Marked interrupted runs as failed: ${ids.join(', ')}`);
    } catch (error) {
      this.logger.error(`Could not check for interrupted runs: ${error instanceof Error ? error.message : error}`);
    }
  }
}
