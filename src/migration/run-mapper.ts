import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import type { RejectedBatchEntity } from '../database/entities/rejected-batch.entity';
import type { RejectedBatchResponseDto, RejectedRowErrorDto, RunResponseDto } from './dto/run-response.dto';

export function toRunResponse(run: MigrationRunEntity): RunResponseDto {
  const response: RunResponseDto = {
    id: run.id,
    table: run.tableName,
    file: run.fileName,
    status: run.status,
    error: run.status === 'failed' ? (run.error ?? null) : null,
    batchSize: run.batchSize,
    rejectMode: run.rejectMode,
    dryRun: Boolean(run.dryRun),
    headerSkipped: Boolean(run.headerSkipped),
    rowsRead: run.rowsRead,
    rowsInserted: run.rowsInserted,
    rowsRejected: run.rowsRejected,
    batchesTotal: run.batchesTotal,
    batchesCommitted: run.batchesCommitted,
    batchesRejected: run.batchesRejected,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt ? run.finishedAt.toISOString() : null,
    durationMs: run.durationMs,
    // A JSON batch has no file to read through.
    progress: run.fileName === null ? null : { bytesRead: run.bytesRead, bytesTotal: run.bytesTotal },
    hint: hintFor(run),
  };
  return response;
}

/** The hint that `rejectMode=row` writes the good rows. */
export const ALL_BATCHES_REJECTED_HINT =
  'every batch held a rejected row, so no row was written: rejectMode=row writes the good rows';

/**
 * A run that completed, read rows and wrote none says so: `201 completed` alone would read as a
 * success. In the default batch mode one bad row keeps its whole batch out.
 */
function hintFor(run: MigrationRunEntity): string | null {
  if (run.status !== 'completed' || run.rowsRead === 0 || run.rowsInserted > 0) return null;
  if (run.rejectMode === 'batch') return ALL_BATCHES_REJECTED_HINT;
  return 'every row was rejected: the reject log says why';
}

/** A page of the reject log, counted in rejected rows. */
export interface RejectedPage {
  offset: number;
  limit: number;
}

/**
 * A rejected batch cut to the rows of the page (a batch of 1,000 rows can straddle pages), with the
 * errors of those rows; `rowsBefore` is how many rejected rows the earlier batches hold.
 */
export function toRejectedBatchResponse(
  batch: Omit<RejectedBatchEntity, 'rawText'> & { rowsBefore: number },
  page: RejectedPage,
): RejectedBatchResponseDto {
  const rows = JSON.parse(batch.rawRows) as RejectedBatchResponseDto['rows'];
  const errors = JSON.parse(batch.errors) as RejectedRowErrorDto[];
  const start = Math.max(0, page.offset - batch.rowsBefore);
  const end = Math.min(rows.length, page.offset + page.limit - batch.rowsBefore);
  const whole = start === 0 && end === rows.length;
  const kept = whole ? rows : rows.slice(start, end);
  const lines = new Set(kept.map((row) => row.line));
  return {
    batch: batch.batchNo,
    firstLine: batch.firstLine,
    lastLine: batch.lastLine,
    rows: kept,
    errors: whole ? errors : errors.filter((error) => lines.has(error.line)),
  };
}
