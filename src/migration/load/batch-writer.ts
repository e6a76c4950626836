import { Injectable, Logger } from '@nestjs/common';
import type { Fence } from '../../coordination/table-guard';
import { LeaseLostError } from '../../coordination/lease-store';
import { isConnectionError } from '../../database/database-errors';
import type { RejectMode } from '../../database/entities/migration-run.entity';
import { TABLE_COLUMNS, type TableName } from '../../database/tables';
import { BatchTransaction, describeDatabaseError, type CommitCheck } from '../../database/batch-transaction';
import { HrTablesRepository } from '../repositories/hr-tables.repository';
import {
  MigrationRunsRepository,
  type BatchCounts,
  type LoggedError,
  type RejectedBatchRecord,
} from '../repositories/migration-runs.repository';
import { REASONS } from '../rules/row-rules';
import { sealBatch, type PreparedBatch, type RowError } from './batch-preparer';
import { keptValue, rawRow, textFromValues, type SourceRow } from './source-row';

export interface BatchTarget {
  runId: number;
  table: TableName;
  rejectMode: RejectMode;
  /** Bytes of the file read so far, recorded with each batch as the run's progress. */
  bytesRead?: () => number;
  /** A dry run: counts and rejects are recorded, no row is written. */
  dryRun?: boolean;
  /** Where a dry run puts the ids it would have written, for the later files of its upload. */
  wouldWrite?: Set<number>;
  /** The run stops at the batch that would bring its rejected rows past this. */
  maxRejected?: number;
  /** Run last in each batch's transaction: refuses the commit once the run's lease is lost. */
  fence?: Fence;
}

/** What a batch did; `errors` are the reasons recorded in the reject log, if any. */
export interface BatchOutcome extends BatchCounts {
  errors: RowError[];
}

/**
 * Writes one prepared batch in one transaction: the upsert, its reject log entry and its counts
 * commit together. A batch the database refuses is recorded as rejected on its own.
 */
@Injectable()
export class BatchWriter {
  private readonly logger = new Logger('MigrationRun');

  constructor(
    private readonly transaction: BatchTransaction,
    private readonly tables: HrTablesRepository,
    private readonly runs: MigrationRunsRepository,
  ) {}

  /** How many batches may be written at once: MySQL writes them on separate connections, SQLite has one. */
  get batchesInFlight(): number {
    return this.transaction.parallel ? 3 : 1;
  }

  async write(target: BatchTarget, batch: PreparedBatch): Promise<BatchOutcome> {
    const good =
      batch.sealed ??
      sealBatch(batch, target.rejectMode, target.dryRun === true, (rows) => this.tables.encode(target.table, rows));
    const logged = target.rejectMode === 'row' ? batch.rows.filter((r) => batch.bad.has(r)) : batch.rows;
    const errors = [...batch.bad.values()].flat();
    const outcome: BatchOutcome = {
      rowsRead: batch.rows.length,
      rowsInserted: good.count,
      rowsRejected: batch.rows.length - good.count,
      committed: good.count > 0,
      bytesRead: target.bytesRead?.() ?? null,
      errors,
    };
    try {
      await this.transaction.run(
        async (runner) => {
          if (good.encoded) await this.tables.upsertBatch(runner, target.table, good.encoded);
          if (errors.length > 0)
            await this.runs.recordRejectedBatch(runner, this.record(target, batch, logged, errors));
          await this.runs.recordBatchCounts(runner, target.runId, batch.batchNo, outcome);
          await target.fence?.(runner);
        },
        this.committedCheck(target, batch),
      );
      if (target.wouldWrite) for (const id of good.ids) target.wouldWrite.add(id);
      return outcome;
    } catch (error) {
      // A database away past the retry budget, or a run another replica took over: stop the run.
      if (isConnectionError(error) || error instanceof LeaseLostError) throw error;
      return this.recordRefusal(target, batch, error);
    }
  }

  /** The database refused the batch: nothing of it is written, all its rows go to the reject log. */
  private async recordRefusal(target: BatchTarget, batch: PreparedBatch, error: unknown): Promise<BatchOutcome> {
    const reason = describeDatabaseError(error);
    this.logger.warn(`Run ${target.runId}, batch ${batch.batchNo}: ${reason}: ${String(error)}`, {
      runId: target.runId,
    });
    const line = batch.rows[0]?.line ?? 0;
    const errors: RowError[] = [{ line, field: null, value: null, reason }];
    const outcome: BatchOutcome = {
      rowsRead: batch.rows.length,
      rowsInserted: 0,
      rowsRejected: batch.rows.length,
      committed: false,
      bytesRead: target.bytesRead?.() ?? null,
      errors,
    };
    await this.transaction.run(
      async (runner) => {
        await this.runs.recordRejectedBatch(runner, this.record(target, batch, batch.rows, errors));
        await this.runs.recordBatchCounts(runner, target.runId, batch.batchNo, outcome);
        await target.fence?.(runner);
      },
      this.committedCheck(target, batch),
    );
    return outcome;
  }

  /** After a COMMIT cut by a lost connection, the batch's counts row tells whether it is in. */
  private committedCheck(target: BatchTarget, batch: PreparedBatch): CommitCheck {
    return () => this.runs.isBatchRecorded(target.runId, batch.batchNo);
  }

  private record(
    target: BatchTarget,
    batch: PreparedBatch,
    rows: SourceRow[],
    errors: RowError[],
  ): RejectedBatchRecord {
    const columns = TABLE_COLUMNS[target.table].length;
    const byLine = new Map<number, LoggedError[]>();
    for (const e of errors) {
      const logged = { line: e.line, field: e.field, value: keptValue(e.value), reason: e.reason };
      const list = byLine.get(e.line);
      if (list) list.push(logged);
      else byLine.set(e.line, [logged]);
    }
    const logged = rows.map((row) => {
      const own = byLine.get(row.line) ?? [];
      byLine.delete(row.line);
      if (!row.rawText)
        return { line: row.line, row: rawRow(row, columns), text: null, textLeftOut: false, errors: own };
      // A row is kept whole or not at all: a cut row would read as another row, or as none.
      const text = row.rawText() ?? null;
      if (text === null) own.push({ line: row.line, field: null, value: null, reason: REASONS.textLeftOut() });
      // Most rows are their values joined: rejects.csv writes them back from those, and keeps no copy.
      const kept = text !== null && textFromValues(row, text, columns) ? null : text;
      return {
        line: row.line,
        row: rawRow(row, columns),
        text: kept,
        textChars: text?.length,
        textLeftOut: text === null,
        errors: own,
      };
    });
    return {
      runId: target.runId,
      batchNo: batch.batchNo,
      firstLine: batch.rows[0]?.line ?? 0,
      lastLine: batch.rows[batch.rows.length - 1]?.line ?? 0,
      rows: logged,
      errors: [...byLine.values()].flat(),
    };
  }
}
