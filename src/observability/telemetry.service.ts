import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { MetricsService, type LastBackupSource } from './metrics.service';

export type DatabaseErrorKind = 'lock' | 'connection' | 'other';

/** What the log and the metrics need of a run (a run's row has these fields, and more). */
interface RunStart {
  id: number;
  tableName: string;
  fileName: string | null;
}
interface RunSummary {
  id: number;
  tableName: string;
  status: string;
  error: string | null;
  rowsRead: number;
  rowsInserted: number;
  rowsRejected: number;
  durationMs: number | null;
}

/**
 * What the operations of the service tell an operator: each run, backup and restore logs its start
 * and its end with its counts, and is counted in the metrics. Features call it; it knows none of them.
 */
@Injectable()
export class Telemetry {
  private readonly runs = new Logger('MigrationRun');
  private readonly backups = new Logger('Backup');
  private readonly restores = new Logger('Restore');

  constructor(private readonly metrics: MetricsService) {}

  runStarted(run: RunStart): void {
    const file = run.fileName === null ? 'a JSON batch' : run.fileName;
    this.runs.log(`Run ${run.id} of ${run.tableName} started from ${file}`, {
      runId: run.id,
      table: run.tableName,
      file: run.fileName,
    });
  }

  runEnded(run: RunSummary): void {
    const table = run.tableName;
    const { status, rowsRead, rowsInserted, rowsRejected } = run;
    this.metrics.runs.inc({ table, status });
    this.metrics.rowsRead.inc({ table }, rowsRead);
    this.metrics.rowsWritten.inc({ table }, rowsInserted);
    this.metrics.rowsRejected.inc({ table }, rowsRejected);
    if (run.durationMs !== null) this.metrics.runDuration.observe({ table, status }, run.durationMs / 1000);
    const counts = `${rowsRead} rows read, ${rowsInserted} written, ${rowsRejected} rejected`;
    const message = `Run ${run.id} of ${table} ${status}: ${counts}${run.error ? `; ${run.error}` : ''}`;
    const params = { runId: run.id, table, status, rowsRead, rowsInserted, rowsRejected, durationMs: run.durationMs };
    if (status === 'failed') this.runs.warn(message, params);
    else this.runs.log(message, params);
  }

  /** Logs a backup's start and end (file, rows, bytes) and times it. */
  async backup<T extends { file: string; rows: number; bytes: number }>(
    table: string,
    trigger: 'request' | 'schedule',
    work: () => Promise<T>,
  ): Promise<T> {
    this.backups.log(`Backup of ${table} started (${trigger})`, { table, trigger });
    const started = performance.now();
    try {
      const done = await work();
      const durationMs = Math.round(performance.now() - started);
      this.metrics.backupDuration.observe({ table, outcome: 'ok' }, durationMs / 1000);
      const { file, rows, bytes } = done;
      this.backups.log(`Backup of ${table} written to ${file}: ${rows} rows, ${bytes} bytes`, {
        table,
        file,
        rows,
        bytes,
        durationMs,
      });
      return done;
    } catch (error) {
      this.metrics.backupDuration.observe({ table, outcome: 'failed' }, (performance.now() - started) / 1000);
      this.backups.warn(`Backup of ${table} failed: ${messageOf(error)}`, { table });
      throw error;
    }
  }

  /** Logs a restore's start and end (file, rows restored) and times it. */
  async restore<T extends { file: string; rowsRestored: number }>(
    table: string,
    file: string | undefined,
    work: () => Promise<T>,
  ): Promise<T> {
    this.restores.log(`Restore of ${table} started from ${file ?? 'its newest backup'}`, { table, file: file ?? null });
    const started = performance.now();
    try {
      const done = await work();
      const durationMs = Math.round(performance.now() - started);
      this.metrics.restoreDuration.observe({ table, outcome: 'ok' }, durationMs / 1000);
      this.restores.log(`Restore of ${table} from ${done.file}: ${done.rowsRestored} rows restored`, {
        table,
        file: done.file,
        rowsRestored: done.rowsRestored,
        durationMs,
      });
      return done;
    } catch (error) {
      this.metrics.restoreDuration.observe({ table, outcome: 'failed' }, (performance.now() - started) / 1000);
      this.restores.warn(`Restore of ${table} refused or failed: ${messageOf(error)}`, { table });
      throw error;
    }
  }

  /** The backup feature says how to find each table's newest backup; read only when metrics are scraped. */
  watchBackups(source: LastBackupSource): void {
    this.metrics.setLastBackupSource(source);
  }

  databaseError(kind: DatabaseErrorKind): void {
    this.metrics.databaseErrors.inc({ kind });
  }

  databaseRetry(kind: Exclude<DatabaseErrorKind, 'other'>): void {
    this.metrics.databaseRetries.inc({ kind });
  }
}

/** Domain errors say what is wrong in words; anything else is named by its class, never its text (SQL). */
function messageOf(error: unknown): string {
  if (error instanceof DomainError) return error.message;
  return error instanceof Error ? error.name : 'unknown error';
}
