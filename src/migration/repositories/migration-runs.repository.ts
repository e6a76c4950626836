import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { QueryRunner, Repository } from 'typeorm';
import { MigrationRunEntity, type RejectMode, type RunStatus } from '../../database/entities/migration-run.entity';
import { RejectedBatchEntity } from '../../database/entities/rejected-batch.entity';
import { BatchTransaction } from '../../database/batch-transaction';
import { Dialect } from '../../database/dialect';
import { ReadDatabase } from '../../database/read-database';
import type { TableName } from '../../database/tables';

export interface NewRun {
  table: TableName;
  file: string | null;
  batchSize: number;
  rejectMode: RejectMode;
  /** The file's size when known before the load (a spooled upload). */
  bytesTotal?: number | null;
  dryRun?: boolean;
  /** The file's field delimiter; none for a JSON batch. */
  delimiter?: string | null;
}

interface BatchSums {
  run_id: number | string;
  rows_read: number | string;
  rows_inserted: number | string;
  rows_rejected: number | string;
  batches: number | string;
  committed: number | string;
  bytes_read: number | string | null;
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
  /** Each row's text as it was sent (null when not kept), in the order of `rows`; none for a JSON batch. */
  rawText?: (string | null)[];
  errors: unknown[];
}

export interface RunEnd {
  status: Exclude<RunStatus, 'running'>;
  error: string | null;
  headerSkipped: boolean;
  /** Bytes of the file read in all. */
  bytesRead?: number;
  /** The file's header line as it was sent, when it had one. */
  headerText?: string | null;
}

/** The most of a header line kept: a header names a few columns. */
const KEPT_HEADER_CHARS = 4096;

/** The run log: runs with their counters, and the reject log of each run. */
@Injectable()
export class MigrationRunsRepository {
  constructor(
    @InjectRepository(MigrationRunEntity) private readonly runs: Repository<MigrationRunEntity>,
    private readonly transaction: BatchTransaction,
    private readonly reads: ReadDatabase,
    private readonly dialect: Dialect,
  ) {}

  /**
   * Writes go through BatchTransaction so that, on SQLite's one connection, they never join a batch's
   * transaction. `beforeCommit` runs in the transaction with the new run's id, while its row is not yet
   * visible to others.
   */
  async createRun(
    run: NewRun,
    beforeCommit?: (runId: number, runner: QueryRunner) => Promise<void>,
  ): Promise<MigrationRunEntity> {
    const entity = this.runs.create({
      tableName: run.table,
      fileName: run.file,
      status: 'running',
      batchSize: run.batchSize,
      rejectMode: run.rejectMode,
      startedAt: new Date(),
      bytesRead: 0,
      bytesTotal: run.bytesTotal ?? null,
      dryRun: run.dryRun ?? false,
      delimiter: run.delimiter ?? null,
    });
    return this.transaction.run(async (runner) => {
      const saved = await runner.manager.save(MigrationRunEntity, entity);
      await beforeCommit?.(saved.id, runner);
      return saved;
    });
  }

  /**
   * Records a batch's counts as its own row, inside the batch's transaction, so that counts match
   * what was committed. Batches of one run never wait for each other on the run's row; the row
   * also tells whether a batch whose COMMIT was cut did commit (`isBatchRecorded`), and a batch
   * recorded twice breaks the key.
   */
  async recordBatchCounts(runner: QueryRunner, runId: number, batchNo: number, counts: BatchCounts): Promise<void> {
    await runner.query(
      `INSERT INTO migration_run_batches
        (run_id, batch_no, rows_read, rows_inserted, rows_rejected, committed, bytes_read)
        VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        runId,
        batchNo,
        counts.rowsRead,
        counts.rowsInserted,
        counts.rowsRejected,
        counts.committed ? 1 : 0,
        counts.bytesRead ?? null,
      ],
    );
  }

  /**
   * Whether a batch's transaction committed, told by its counts row. On MySQL the read waits for
   * the row's lock, so a transaction the server is still committing or rolling back is waited for.
   */
  async isBatchRecorded(runId: number, batchNo: number): Promise<boolean> {
    const rows: unknown[] = await this.runs.manager.query(
      `SELECT 1 AS found FROM migration_run_batches WHERE run_id = ? AND batch_no = ?${this.dialect.shareLockHint}`,
      [runId, batchNo],
    );
    return rows.length > 0;
  }

  async recordRejectedBatch(runner: QueryRunner, batch: RejectedBatchRecord): Promise<void> {
    await runner.query(
      `INSERT INTO rejected_batches (run_id, batch_no, first_line, last_line, raw_rows, raw_text, errors)
        VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        batch.runId,
        batch.batchNo,
        batch.firstLine,
        batch.lastLine,
        JSON.stringify(batch.rows),
        batch.rawText === undefined ? null : JSON.stringify(batch.rawText),
        JSON.stringify(batch.errors),
      ],
    );
  }

  /** A queued run starts loading: its time is counted from now, not from when it was queued. */
  async markRunStarted(runId: number): Promise<void> {
    const now = new Date();
    await this.transaction.run((runner) => runner.manager.update(MigrationRunEntity, runId, { startedAt: now }));
  }

  /**
   * Ends a run that is still `running`; a run another replica has ended meanwhile (it took the run
   * over) keeps that end, which is returned.
   */
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
      ...(end.headerText ? { headerText: end.headerText.slice(0, KEPT_HEADER_CHARS) } : {}),
    };
    await this.transaction.run(async (runner) => {
      await this.foldBatchCounts(runner, runId);
      await runner.manager.update(MigrationRunEntity, { id: runId, status: 'running' }, changes);
    });
    return this.runs.findOneByOrFail({ id: runId });
  }

  /**
   * Writes the sum of a running run's batches onto the run, once: only while it is `running`, in
   * the transaction that ends it. (A run's own counters hold what was counted before batches had rows.)
   */
  private async foldBatchCounts(runner: QueryRunner, runId: number): Promise<void> {
    const sum = (column: string) =>
      `${column} = ${column} + (SELECT COALESCE(SUM(b.${column}), 0) FROM migration_run_batches b WHERE b.run_id = ?)`;
    await runner.query(
      `UPDATE migration_runs SET ${sum('rows_read')}, ${sum('rows_inserted')}, ${sum('rows_rejected')},
        batches_total = batches_total + (SELECT COUNT(*) FROM migration_run_batches b WHERE b.run_id = ?),
        batches_committed = batches_committed +
          (SELECT COUNT(*) FROM migration_run_batches b WHERE b.run_id = ? AND b.committed = 1),
        batches_rejected = batches_rejected +
          (SELECT COUNT(*) FROM migration_run_batches b WHERE b.run_id = ? AND b.committed = 0),
        bytes_read = COALESCE((SELECT MAX(b.bytes_read) FROM migration_run_batches b WHERE b.run_id = ?), bytes_read)
        WHERE id = ? AND status = 'running'`,
      [runId, runId, runId, runId, runId, runId, runId, runId],
    );
  }

  /** Running runs count what their batches committed so far; ended runs carry their totals. */
  private async withBatchCounts(runs: MigrationRunEntity[]): Promise<MigrationRunEntity[]> {
    const running = runs.filter((run) => run.status === 'running');
    if (running.length === 0) return runs;
    const sums: BatchSums[] = await this.reads.dataSource.query(
      `SELECT run_id, SUM(rows_read) AS rows_read, SUM(rows_inserted) AS rows_inserted,
        SUM(rows_rejected) AS rows_rejected, COUNT(*) AS batches, SUM(committed) AS committed,
        MAX(bytes_read) AS bytes_read
        FROM migration_run_batches WHERE run_id IN (${running.map(() => '?').join(',')}) GROUP BY run_id`,
      running.map((run) => run.id),
    );
    for (const sum of sums) {
      const run = running.find((r) => r.id === Number(sum.run_id));
      if (!run) continue;
      run.rowsRead += Number(sum.rows_read);
      run.rowsInserted += Number(sum.rows_inserted);
      run.rowsRejected += Number(sum.rows_rejected);
      run.batchesTotal += Number(sum.batches);
      run.batchesCommitted += Number(sum.committed);
      run.batchesRejected += Number(sum.batches) - Number(sum.committed);
      // Batches commit in parallel on MySQL, not always in file order: the furthest read wins.
      if (sum.bytes_read !== null) run.bytesRead = Math.max(run.bytesRead, Number(sum.bytes_read));
    }
    return runs;
  }

  /**
   * Marks as failed those of `runIds` still `running`: their process died. Their counters become the
   * sum of the batches they committed; they end when this was found (or at their last heartbeat, for
   * runs of versions that kept one). Returns the runs so ended.
   */
  async failInterruptedRuns(runIds: number[], error: string): Promise<number[]> {
    const ended: number[] = [];
    for (const id of runIds) {
      const run = await this.runs.findOneByOrFail({ id });
      const finishedAt = run.heartbeatAt ?? new Date();
      const changed = await this.transaction.run(async (runner) => {
        await this.foldBatchCounts(runner, id);
        const result = await runner.manager.update(
          MigrationRunEntity,
          { id, status: 'running' },
          { status: 'failed', error, finishedAt, durationMs: finishedAt.getTime() - run.startedAt.getTime() },
        );
        return (result.affected ?? 0) > 0;
      });
      if (changed) ended.push(id);
    }
    return ended;
  }

  /** The runs still `running`, with their table, oldest first. */
  async findRunningRuns(): Promise<{ id: number; table: TableName }[]> {
    const rows: { id: number | string; table_name: TableName }[] = await this.runs.manager.query(
      "SELECT id, table_name FROM migration_runs WHERE status = 'running' ORDER BY id",
    );
    return rows.map((r) => ({ id: Number(r.id), table: r.table_name }));
  }

  /** The runs as last committed, read on the read connection like findRun and findRejectedBatches. */
  async listRuns(limit: number, offset: number): Promise<{ items: MigrationRunEntity[]; total: number }> {
    const [items, total] = await this.reads.dataSource.getRepository(MigrationRunEntity).findAndCount({
      order: { startedAt: 'DESC', id: 'DESC' },
      take: limit,
      skip: offset,
    });
    return { items: await this.withBatchCounts(items), total };
  }

  async findRun(id: number): Promise<MigrationRunEntity | null> {
    const run = await this.reads.dataSource.getRepository(MigrationRunEntity).findOneBy({ id });
    return run && (await this.withBatchCounts([run]))[0];
  }

  /**
   * One page of a run's reject log in file order, after the entry `after` (batch number and id),
   * on the read connection: the rows to fix are streamed a page at a time.
   */
  async findRejectedBatchPage(
    runId: number,
    after: { batchNo: number; id: number },
    limit: number,
  ): Promise<RejectedBatchEntity[]> {
    return this.reads.dataSource
      .getRepository(RejectedBatchEntity)
      .createQueryBuilder('b')
      .where('b.runId = :runId', { runId })
      .andWhere('(b.batchNo > :batchNo OR (b.batchNo = :batchNo AND b.id > :id))', after)
      .orderBy('b.batchNo', 'ASC')
      .addOrderBy('b.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /**
   * One page of the reject log, counted in rejected rows (a batch can hold 1,000): the batches that
   * hold rows `offset .. offset + limit - 1`, in file order, each with `rowsBefore`, the rejected rows
   * of the earlier batches, so that the caller can cut it to the page. Rows are counted in the
   * database, so a large log is never read to find a page.
   */
  async findRejectedBatches(
    runId: number,
    page: { offset: number; limit: number },
  ): Promise<(Omit<RejectedBatchEntity, 'rawText'> & { rowsBefore: number })[]> {
    const rowCount = this.dialect.jsonArrayLength('raw_rows');
    const found: (Record<string, unknown> & { rows_before: number | string })[] = await this.reads.dataSource.query(
      `SELECT b.id, b.run_id, b.batch_no, b.first_line, b.last_line, b.raw_rows, b.errors, p.rows_before
        FROM (SELECT id, n, SUM(n) OVER (ORDER BY batch_no, id) - n AS rows_before
          FROM (SELECT id, batch_no, ${rowCount} AS n FROM rejected_batches WHERE run_id = ?) counted) p
        JOIN rejected_batches b ON b.id = p.id
        WHERE p.rows_before < ? AND p.rows_before + p.n > ?
        ORDER BY b.batch_no, b.id`,
      [runId, page.offset + page.limit, page.offset],
    );
    return found.map((row) => ({
      id: Number(row.id),
      runId: Number(row.run_id),
      batchNo: Number(row.batch_no),
      firstLine: Number(row.first_line),
      lastLine: Number(row.last_line),
      rawRows: String(row.raw_rows),
      errors: String(row.errors),
      rowsBefore: Number(row.rows_before),
    }));
  }

  /** How many rows a run's reject log holds. */
  async countRejectedRows(runId: number): Promise<number> {
    const [{ total }]: { total: number | string | null }[] = await this.reads.dataSource.query(
      `SELECT SUM(${this.dialect.jsonArrayLength('raw_rows')}) AS total FROM rejected_batches WHERE run_id = ?`,
      [runId],
    );
    return Number(total ?? 0);
  }
}
