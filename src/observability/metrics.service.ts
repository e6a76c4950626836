import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds, from a few milliseconds (a JSON batch, a small backup) to an hour (a large load). */
const DURATION_BUCKETS = [0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];

/** Where the newest backup of each table is read from when /metrics is scraped. */
export type LastBackupSource = () => Promise<Record<string, Date | null>>;

/**
 * The service's Prometheus metrics, in a registry of this application's own (several applications
 * in one process, as in tests, each count their own). Features record through Telemetry.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private lastBackupSource: LastBackupSource | null = null;

  readonly runs = new Counter({
    name: 'hr_migration_runs_total',
    help: 'Migration runs ended, by table and status',
    labelNames: ['table', 'status'] as const,
    registers: [this.registry],
  });
  readonly rowsRead = this.rowCounter('read', 'Rows read by migration runs');
  readonly rowsWritten = this.rowCounter('written', 'Rows written (inserted or updated) by migration runs');
  readonly rowsRejected = this.rowCounter('rejected', 'Rows rejected by migration runs');
  readonly runDuration = new Histogram({
    name: 'hr_migration_run_duration_seconds',
    help: 'Duration of migration runs, from start to end, by table and status',
    labelNames: ['table', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly backupDuration = new Histogram({
    name: 'hr_backup_duration_seconds',
    help: 'Duration of backups, by table and outcome (ok or failed)',
    labelNames: ['table', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly restoreDuration = new Histogram({
    name: 'hr_restore_duration_seconds',
    help: 'Duration of restores, by table and outcome (ok or failed)',
    labelNames: ['table', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly lastBackup = new Gauge({
    name: 'hr_backup_last_success_timestamp_seconds',
    help: "Time of each table's newest backup in the backup folder, in Unix seconds (absent: none)",
    labelNames: ['table'] as const,
    registers: [this.registry],
    collect: () => this.collectLastBackups(),
  });
  readonly httpDuration = new Histogram({
    name: 'hr_http_request_duration_seconds',
    help: 'HTTP requests by method, route and status, with their duration',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  readonly databaseErrors = new Counter({
    name: 'hr_database_errors_total',
    help: 'Database errors met by transactions, by kind (lock, connection, other), retried or not',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly databaseRetries = new Counter({
    name: 'hr_database_retries_total',
    help: 'Transactions and statements run again after a transient database error, by kind (lock, connection)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'hr_' });
    // Zeros from the start, so that a rate over errors that have not happened yet is 0, not absent.
    for (const kind of ['lock', 'connection', 'other']) this.databaseErrors.inc({ kind }, 0);
    for (const kind of ['lock', 'connection']) this.databaseRetries.inc({ kind }, 0);
  }

  /** The backup feature tells where its files are; the metrics read them only when scraped. */
  setLastBackupSource(source: LastBackupSource): void {
    this.lastBackupSource = source;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  private rowCounter(what: string, help: string): Counter<'table'> {
    return new Counter({
      name: `hr_migration_rows_${what}_total`,
      help,
      labelNames: ['table'] as const,
      registers: [this.registry],
    });
  }

  private async collectLastBackups(): Promise<void> {
    if (!this.lastBackupSource) return;
    this.lastBackup.reset();
    const newest = await this.lastBackupSource().catch(() => ({}) as Record<string, Date | null>);
    for (const [table, at] of Object.entries(newest)) {
      if (at) this.lastBackup.set({ table }, at.getTime() / 1000);
    }
  }
}
