import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../config/app-config';
import { Leader } from '../coordination/leader';
import { TABLE_NAMES } from '../database/tables';
import { BackupService } from './backup.service';

const JOB = 'backups';

/**
 * BACKUP_SCHEDULE: backs every table up on a cron schedule, in UTC. Of several replicas sharing a
 * database only the leader of the schedule backs up (Leader), so each tick makes one
 * backup of each table. A tick that comes while the last one is still running is skipped.
 */
@Injectable()
export class BackupScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('BackupSchedule');
  private running: Promise<void> | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
    private readonly backups: BackupService,
    private readonly leader: Leader,
  ) {}

  onApplicationBootstrap(): void {
    const schedule = this.config.backupPolicy.schedule;
    if (schedule === null) return;
    const job = CronJob.from({ cronTime: schedule, onTick: () => this.tick(), timeZone: 'UTC', start: false });
    this.registry.addCronJob(JOB, job);
    job.start();
    this.logger.log(`Every table is backed up on the schedule '${schedule}' (UTC)`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('cron', JOB)) {
      await this.registry.getCronJob(JOB).stop();
      this.registry.deleteCronJob(JOB);
    }
    await this.running;
  }

  private tick(): void {
    if (this.running) {
      this.logger.warn('The scheduled backups of the last tick are still running; this tick is skipped');
      return;
    }
    this.running = this.backUpEveryTable().finally(() => (this.running = null));
  }

  private async backUpEveryTable(): Promise<void> {
    if (!(await this.leader.lead('backup_schedule'))) return;
    for (const table of TABLE_NAMES) {
      // A failure is logged with its table (Telemetry); the other tables are still backed up.
      await this.backups.create(table, 'schedule').catch(() => undefined);
    }
  }
}
