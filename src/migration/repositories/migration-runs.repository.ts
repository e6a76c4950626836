import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { QueryRunner, Repository } from 'typeorm';
import { MigrationRunEntity, type RejectMode, type RunStatus } from '../../database/entities/migration-run.entity';
import { RejectedBatchEntity } from '../../database/entities/rejected-batch.entity';
import type { TableName } from '../../database/tables';
import { BatchTransaction } from './batch-transaction';

export interface NewRun {
  table: TableName;
  file: string | null;
  batchSize: number;
  rejectMode: RejectMode;
  /** The file's size when known before the load (a spooled upload). */
  bytesTotal?: number | null;
}

/** What one batch adds to its run's counters; written in the batch's own transaction. */
export interface BatchCounts {
  rowsRead: number;
  rowsInserted: number;
  rowsRejected: number;
  committed: boolean;
  /** Bytes of the file read when the batch was taken; null for a JSON batch. */
  bytesRead?: number | null;
}

export interface RejectedBatchRecord {
  runId: number;
  batchNo: number;
  firstLine: number;
  lastLine: number;
  rows: unknown[];
  errors: unknown[];
}

export interface RunEnd {
  status: Exclude<RunStatus, 'running'>;
  error: string | null;
  headerSkipped: boolean;
  /** Bytes of the file read in all. */
  bytesRead?: number;
}

/** The run log: runs with their counters, and the reject log of each run. */
@Injectable()
export class MigrationRunsRepository {
  constructor(
    @InjectRepository(MigrationRunEntity) private readonly runs: Repository<MigrationRunEntity>,
    @InjectRepository(RejectedBatchEntity) private readonly rejected: Repository<RejectedBatchEntity>,
    private readonly transaction: BatchTransaction,
  ) {}

  /** Writes go through BatchTransaction so that, on SQLite's one connection, they never join a batch's transaction. */
  async createRun(run: NewRun): Promise<MigrationRunEntity> {
    const entity = this.runs.create({
      tableName: run.table,
      fileName: run.file,
      status: 'running',
      batchSize: run.batchSize,
      rejectMode: run.rejectMode,
      startedAt: new Date(),
      heartbeatAt: new Date(),
      bytesRead: 0,
      bytesTotal: run.bytesTotal ?? null,
    });
    return this.transaction.run((runner) => runner.manager.save(MigrationRunEntity, entity));
  }

  /** Adds a batch's counts to its run, inside the batch's transaction so counts match what was committed. */
  async addBatchCounts(runner: QueryRunner, runId: number, counts: BatchCounts): Promise<void> {
    await runner.query(
      `UPDATE migration_runs SET rows_read = rows_read + ?, rows_inserted = rows_inserted + ?,
        rows_rejected = rows_rejected + ?, batches_total = batches_total + 1,
        batches_committed = batches_committed + ?, batches_rejected = batches_rejected + ?, heartbeat_at = ?,
        bytes_read = CASE WHEN ? > bytes_read THEN ? ELSE bytes_read END
        WHERE id = ?`,
      [
        counts.rowsRead,
        counts.rowsInserted,
        counts.rowsRejected,
        counts.committed ? 1 : 0,
        counts.committed ? 0 : 1,
        sqlDateTime(new Date()),
        // Batches commit in parallel on MySQL, not always in file order: the furthest read wins.
        counts.bytesRead ?? null,
        counts.bytesRead ?? null,
        runId,
      ],
    );
  }

  async recordRejectedBatch(runner: QueryRunner, batch: RejectedBatchRecord): Promise<void> {
    await runner.query(
      'INSERT INTO rejected_batches (run_id, batch_no, first_line, last_line, raw_rows, errors) VALUES (?, ?, ?, ?, ?, ?)',
      [
        batch.runId,
        batch.batchNo,
        batch.firstLine,
        batch.lastLine,
        JSON.stringify(batch.rows),
        JSON.stringify(batch.errors),
      ],
    );
  }

  /** A queued run starts loading: its time is counted from now, not from when it was queued. */
  async markRunStarted(runId: number): Promise<void> {
    const now = new Date();
    await this.transaction.run((runner) =>
      runner.manager.update(MigrationRunEntity, runId, { startedAt: now, heartbeatAt: now }),
    );
  }

  /** A sign of life for runs that are queued or between batches, so no sweeper takes them for dead. */
  async touchRuns(runIds: number[]): Promise<void> {
    if (runIds.length === 0) return;
    await this.transaction.run((runner) =>
      runner.query(
        `UPDATE migration_runs SET heartbeat_at = ? WHERE status = 'running' AND id IN (${runIds.map(() => '?').join(', ')})`,
        [sqlDateTime(new Date()), ...runIds],
      ),
    );
  }

  async finishRun(runId: number, end: RunEnd): Promise<MigrationRunEntity> {
    const run = await this.runs.findOneByOrFail({ id: runId });
    const finishedAt = new Date();
    const changes = {
      status: end.status,
      error: end.error === null ? null : end.error.slice(0, 1000),
      headerSkipped: end.headerSkipped,
      finishedAt,
      durationMs: finishedAt.getTime() - run.startedAt.getTime(),
      ...(end.bytesRead === undefined ? {} : { bytesRead: Math.max(end.bytesRead, run.bytesRead) }),
    };
    await this.transaction.run((runner) => runner.manager.update(MigrationRunEntity, runId, changes));
    return this.runs.findOneByOrFail({ id: runId });
  }

  /**
   * Marks as failed the runs still `running` whose last sign of life is older than `staleBefore`:
   * their process died. Their counters already hold exactly what was committed, batch by batch.
   */
  async failInterruptedRuns(staleBefore: Date): Promise<number[]> {
    const stale: { id: number }[] = await this.runs.manager.query(
      `SELECT id FROM migration_runs WHERE status = 'running' AND COALESCE(heartbeat_at, started_at) < ?`,
      [sqlDateTime(staleBefore)],
    );
    const error = 'interrupted: the service stopped during this run; the batches counted here were committed';
    for (const { id } of stale) {
      const run = await this.runs.findOneByOrFail({ id });
      const finishedAt = run.heartbeatAt ?? run.startedAt;
      await this.transaction.run((runner) =>
        runner.manager.update(
          MigrationRunEntity,
          { id, status: 'running' },
          { status: 'failed', error, finishedAt, durationMs: finishedAt.getTime() - run.startedAt.getTime() },
        ),
      );
    }
    return stale.map((r) => Number(r.id));
  }

  async listRuns(limit: number, offset: number): Promise<{ items: MigrationRunEntity[]; total: number }> {
    const [items, total] = await this.runs.findAndCount({
      order: { startedAt: 'DESC', id: 'DESC' },
      take: limit,
      skip: offset,
    });
    return { items, total };
  }

  async findRun(id: number): Promise<MigrationRunEntity | null> {
    return this.runs.findOneBy({ id });
  }

  async findRejectedBatches(runId: number): Promise<RejectedBatchEntity[]> {
    return this.rejected.find({ where: { runId }, order: { batchNo: 'ASC', id: 'ASC' } });
  }
}

/** UTC 'YYYY-MM-DD HH:MM:SS.mmm', the form both engines store and compare. */
function sqlDateTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
