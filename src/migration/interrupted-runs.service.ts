import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MigrationRunsRepository } from './repositories/migration-runs.repository';

/** A loading run beats every HEARTBEAT_MS; on a shared MySQL database, one silent this long has lost its process. */
export const STALE_RUN_MS = 5 * 60 * 1000;
const SWEEP_EVERY_MS = 60 * 1000;

/**
 * Ends the runs a dead process left `running`. On SQLite this process owns the file, so every
 * such run is interrupted at start. On MySQL other replicas may be loading right now, so only
 * runs without a heartbeat for STALE_RUN_MS are ended, at start and then every minute.
 */
@Injectable()
export class InterruptedRunsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MigrationRuns');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly runs: MigrationRunsRepository,
    private readonly config: AppConfig,
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
