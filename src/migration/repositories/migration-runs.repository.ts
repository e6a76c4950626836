import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { QueryRunner, Repository } from 'typeorm';
import { MigrationRunEntity, type RejectMode, type RunStatus } from '../../database/entities/migration-run.entity';
import { BatchTransaction } from '../../database/batch-transaction';
import { Dialect, type SqlValue } from '../../database/dialect';
import { ReadDatabase } from '../../database/read-database';
import type { TableName } from '../../database/tables';
import { logEntries, MAX_PACKED_ROWS, unpackEntry } from './reject-log-entries';

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

/** A reason as the reject log keeps it. */
export interface LoggedError {
  line: number;
  field: string | null;
  value: string | null;
  reason: string;
}

/** One rejected row as the reject log keeps it. */
export interface RejectedRowRecord {
  line: number;
  /** `{ line, values, columns? }`: the values as they came (each cut to 1 KB), or a JSON row's object. */
  row: unknown;
  /**
   * The row's text as it was sent; null for a JSON row, for a row too long to keep (`textLeftOut`),
   * and for a row whose values `rejects.csv` writes back as that text (`textFromValues`).
   */
  text: string | null;
  /** The length of the row's text as sent, kept or written back from the values. */
  textChars?: number;
  textLeftOut: boolean;
  errors: LoggedError[];
}

export interface RejectedBatchRecord {
  runId: number;
  batchNo: number;
  firstLine: number;
  lastLine: number;
  rows: RejectedRowRecord[];
  /** The reasons that belong to none of the rows. */
  errors: LoggedError[];
}

/** Where a row lies in a run's reject log: its batch, and its place among the batch's rejected rows. */
export interface RejectedRowKey {
  batchNo: number;
  rowNo: number;
}

/** A rejected batch without its rows, with `rowsBefore`, the rejected rows of the batches before it. */
export interface RejectedBatchHead {
  batchNo: number;
  firstLine: number;
  lastLine: number;
  rowCount: number;
  rowsBefore: number;
  /** JSON: the reasons that belong to none of the rows. */
  errors: string;
}

/** A row of the reject log as read back; `rawRow` and `errors` are JSON. */
export interface RejectedRowEntry extends RejectedRowKey {
  line: number;
  rawRow: string;
  errors: string;
  text: string | null;
  textLeftOut: boolean;
  /** The lines of the row's batch. */
  firstLine: number;
  lastLine: number;
}

/** Where an entry of the log lies, how many rows it holds, and the length of their texts. */
interface EntryKey {
  batchNo: number;
  rowNo: number;
  packedRows: number;
  textChars: number;
}

/** The entries that hold a page of the log: in `from`'s batch, then after it (`afterRows` rows wanted there). */
interface EntryKeys {
  inBatch: EntryKey[];
  after: EntryKey[];
  afterRows: number;
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

/** Entries of the reject log written per INSERT, and the most text one INSERT carries beyond its first. */
const ROWS_PER_INSERT = 1000;
const CHARS_PER_INSERT = 1_000_000;
const REJECTED_ROW_COLUMNS = [
  'run_id',
  'batch_no',
  'row_no',
  'packed_rows',
  'line',
  'raw_row',
  'errors',
  'text_chars',
  'text_left_out',
  'raw_text',
];

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
      this.dialect.sql(`INSERT INTO migration_run_batches
        (run_id, batch_no, rows_read, rows_inserted, rows_rejected, committed, bytes_read)
        VALUES (?, ?, ?, ?, ?, ?, ?)`),
      [
        runId,
        batchNo,
        counts.rowsRead,
        counts.rowsInserted,
        counts.rowsRejected,
        this.dialect.booleanValue(counts.committed),
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
      this.dialect.sql(
        `SELECT 1 AS found FROM migration_run_batches WHERE run_id = ? AND batch_no = ?${this.dialect.shareLockHint}`,
      ),
      [runId, batchNo],
    );
    return rows.length > 0;
  }

  /**
   * The batch's entry, then its rows (`logEntries`: consecutive rows without text share an entry), a
   * few entries per INSERT so that no statement grows past a few MB.
   */
  async recordRejectedBatch(runner: QueryRunner, batch: RejectedBatchRecord): Promise<void> {
    await runner.query(
      this.dialect.sql(`INSERT INTO rejected_batches
        (run_id, batch_no, first_line, last_line, raw_rows, raw_text, errors, row_count)
        VALUES (?, ?, ?, ?, '[]', NULL, ?, ?)`),
      [batch.runId, batch.batchNo, batch.firstLine, batch.lastLine, JSON.stringify(batch.errors), batch.rows.length],
    );
    const entries = logEntries(batch.rows);
    let next = 0;
    while (next < entries.length) {
      const rows: SqlValue[][] = [];
      let chars = 0;
      while (
        next < entries.length &&
        rows.length < ROWS_PER_INSERT &&
        (rows.length === 0 || chars < CHARS_PER_INSERT)
      ) {
        const entry = entries[next++];
        chars += entry.rawRow.length + entry.errors.length + (entry.textChars ?? 0);
        rows.push([
          batch.runId,
          batch.batchNo,
          entry.rowNo,
          entry.packedRows,
          entry.line,
          entry.rawRow,
          entry.errors,
          entry.textChars,
          this.dialect.booleanValue(entry.textLeftOut),
          this.dialect.rawTextValue(entry.text),
        ]);
      }
      await this.dialect.insertValues(runner, 'rejected_rows', REJECTED_ROW_COLUMNS, rows);
    }
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
      ...(end.headerText ? { headerText: end.headerText } : {}),
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
      this.dialect.sql(`UPDATE migration_runs SET ${sum('rows_read')}, ${sum('rows_inserted')}, ${sum('rows_rejected')},
        batches_total = batches_total + (SELECT COUNT(*) FROM migration_run_batches b WHERE b.run_id = ?),
        batches_committed = batches_committed +
          (SELECT COUNT(*) FROM migration_run_batches b WHERE b.run_id = ? AND b.committed),
        batches_rejected = batches_rejected +
          (SELECT COUNT(*) FROM migration_run_batches b WHERE b.run_id = ? AND NOT b.committed),
        bytes_read = COALESCE((SELECT MAX(b.bytes_read) FROM migration_run_batches b WHERE b.run_id = ?), bytes_read)
        WHERE id = ? AND status = 'running'`),
      [runId, runId, runId, runId, runId, runId, runId, runId],
    );
  }

  /** Running runs count what their batches committed so far; ended runs carry their totals. */
  private async withBatchCounts(runs: MigrationRunEntity[]): Promise<MigrationRunEntity[]> {
    const running = runs.filter((run) => run.status === 'running');
    if (running.length === 0) return runs;
    const sums: BatchSums[] = await this.reads.dataSource.query(
      this.dialect.sql(`SELECT run_id, SUM(rows_read) AS rows_read, SUM(rows_inserted) AS rows_inserted,
        SUM(rows_rejected) AS rows_rejected, COUNT(*) AS batches, SUM(CASE WHEN committed THEN 1 ELSE 0 END) AS committed,
        MAX(bytes_read) AS bytes_read
        FROM migration_run_batches WHERE run_id IN (${running.map(() => '?').join(',')}) GROUP BY run_id`),
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
   * The batches of the reject log that hold rows `offset .. offset + limit - 1`, in file order, each
   * with `rowsBefore`. Only the batches' counts are summed: a large log is never read to find a page.
   */
  async findRejectedBatchHeads(runId: number, page: { offset: number; limit: number }): Promise<RejectedBatchHead[]> {
    const found: Record<string, unknown>[] = await this.reads.dataSource.query(
      this.dialect.sql(`SELECT b.batch_no, b.first_line, b.last_line, b.row_count, b.errors, p.rows_before
        FROM (SELECT id, row_count, SUM(row_count) OVER (ORDER BY batch_no, id) - row_count AS rows_before
          FROM rejected_batches WHERE run_id = ?) p
        JOIN rejected_batches b ON b.id = p.id
        WHERE p.rows_before < ? AND p.rows_before + p.row_count > ?
        ORDER BY b.batch_no, b.id`),
      [runId, page.offset + page.limit, page.offset],
    );
    return found.map((row) => ({
      batchNo: Number(row.batch_no),
      firstLine: Number(row.first_line),
      lastLine: Number(row.last_line),
      rowCount: Number(row.row_count),
      rowsBefore: Number(row.rows_before),
      errors: String(row.errors),
    }));
  }

  /**
   * Up to `limit` rows of a run's reject log in file order, from `from` on (that row included). The
   * entries that hold them are found from their keys alone (`entryKeys`), then read: the rest of
   * `from`'s batch, then the batches after it, each read following the primary key, so a page deep
   * in a large log costs its own rows only, on every engine. `text: false` leaves the rows' text unread.
   */
  async findRejectedRows(
    runId: number,
    from: RejectedRowKey,
    limit: number,
    read: { text: boolean },
  ): Promise<RejectedRowEntry[]> {
    const keys = await this.entryKeys(runId, from, limit);
    const columns = `r.batch_no, r.row_no, r.packed_rows, r.line, r.raw_row, r.errors, r.text_left_out, b.first_line, b.last_line${
      read.text ? ', r.raw_text' : ''
    }`;
    const select = (where: string) =>
      this.dialect.sql(`SELECT ${columns} FROM rejected_rows r
        JOIN rejected_batches b ON b.run_id = r.run_id AND b.batch_no = r.batch_no
        WHERE r.run_id = ? AND ${where} ORDER BY r.batch_no, r.row_no`);
    const found: Record<string, unknown>[] = [];
    if (keys.inBatch.length > 0) {
      const last = keys.inBatch[keys.inBatch.length - 1];
      found.push(
        ...((await this.reads.dataSource.query(select('r.batch_no = ? AND r.row_no >= ? AND r.row_no <= ?'), [
          runId,
          from.batchNo,
          keys.inBatch[0].rowNo,
          last.rowNo,
        ])) as Record<string, unknown>[]),
      );
    }
    if (keys.after.length > 0) {
      // Up to the last entry found: a batch of a running run that commits meanwhile adds its rows in
      // their place, and the page still ends up as the first `limit` rows, in order.
      const last = keys.after[keys.after.length - 1];
      found.push(
        ...((await this.reads.dataSource.query(
          select('r.batch_no > ? AND r.row_no < ? AND (r.batch_no < ? OR (r.batch_no = ? AND r.row_no <= ?))'),
          [runId, from.batchNo, keys.afterRows, last.batchNo, last.batchNo, last.rowNo],
        )) as Record<string, unknown>[]),
      );
    }
    const rows: RejectedRowEntry[] = [];
    for (const entry of found) {
      const batchNo = Number(entry.batch_no);
      const common = {
        batchNo,
        textLeftOut: Boolean(Number(entry.text_left_out)),
        firstLine: Number(entry.first_line),
        lastLine: Number(entry.last_line),
      };
      const unpacked = unpackEntry({
        rowNo: Number(entry.row_no),
        packedRows: Number(entry.packed_rows),
        line: Number(entry.line),
        rawRow: String(entry.raw_row),
        errors: String(entry.errors),
        text: this.dialect.rawTextOf(entry.raw_text),
      });
      for (const row of unpacked) {
        if (rows.length === limit) return rows;
        if (batchNo !== from.batchNo || row.rowNo >= from.rowNo) rows.push({ ...common, ...row });
      }
    }
    return rows;
  }

  /**
   * How many of the rows from `from` on fit `chars` characters of text (at least one, at most
   * `limit`): read from the rows' lengths alone, so that a page of the rows to fix stays small.
   */
  async countRejectedRowsWithin(runId: number, from: RejectedRowKey, limit: number, chars: number): Promise<number> {
    const keys = await this.entryKeys(runId, from, limit);
    let total = 0;
    let count = 0;
    for (const entry of [...keys.inBatch, ...keys.after]) {
      const skipped = entry.batchNo === from.batchNo ? Math.max(0, from.rowNo - entry.rowNo) : 0;
      for (let i = skipped; i < entry.packedRows && count < limit; i++) {
        // The texts of rows that share an entry are counted whole with the first row read of it.
        total += i === skipped ? entry.textChars : 0;
        if (count > 0 && total > chars) return count;
        count++;
      }
    }
    return count;
  }

  /**
   * The entries of the log that hold `limit` rows from `from` on, from their keys alone: those of
   * `from`'s batch, then those of the batches after it. A row of a later batch within the page is
   * numbered below the rows the page still needs (the rows before it in its batch come first), and an
   * entry holds at most a batch's rows, so both reads stay within the page's own entries.
   */
  private async entryKeys(runId: number, from: RejectedRowKey, limit: number): Promise<EntryKeys> {
    const keyOf = (row: Record<string, unknown>): EntryKey => ({
      batchNo: Number(row.batch_no),
      rowNo: Number(row.row_no),
      packedRows: Number(row.packed_rows),
      textChars: Number(row.text_chars ?? 0),
    });
    const inBatch = (
      (await this.reads.dataSource.query(
        this.dialect.sql(`SELECT batch_no, row_no, packed_rows, text_chars FROM rejected_rows
          WHERE run_id = ? AND batch_no = ? AND row_no > ? AND row_no < ? ORDER BY row_no`),
        [runId, from.batchNo, from.rowNo - MAX_PACKED_ROWS, from.rowNo + limit],
      )) as Record<string, unknown>[]
    )
      .map(keyOf)
      .filter((key) => key.rowNo + key.packedRows > from.rowNo);
    const held = inBatch.reduce(
      (sum, key) => sum + Math.min(key.rowNo + key.packedRows, from.rowNo + limit) - Math.max(key.rowNo, from.rowNo),
      0,
    );
    const afterRows = limit - held;
    const after: EntryKey[] = [];
    if (afterRows > 0) {
      const later = (await this.reads.dataSource.query(
        this.dialect.sql(`SELECT batch_no, row_no, packed_rows, text_chars FROM rejected_rows
          WHERE run_id = ? AND batch_no > ? AND row_no < ? ORDER BY batch_no, row_no LIMIT ?`),
        [runId, from.batchNo, afterRows, afterRows],
      )) as Record<string, unknown>[];
      let rows = 0;
      for (const row of later) {
        if (rows >= afterRows) break;
        const key = keyOf(row);
        after.push(key);
        rows += key.packedRows;
      }
    }
    return { inBatch, after, afterRows };
  }

  /** How many rows a run's reject log holds. */
  async countRejectedRows(runId: number): Promise<number> {
    const [{ total }]: { total: number | string | null }[] = await this.reads.dataSource.query(
      this.dialect.sql('SELECT SUM(row_count) AS total FROM rejected_batches WHERE run_id = ?'),
      [runId],
    );
    return Number(total ?? 0);
  }
}
