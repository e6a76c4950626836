import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import type { RejectedBatchHead, RejectedRowEntry } from './repositories/migration-runs.repository';
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
 * The page's rows grouped by batch (a batch of 1,000 rows can straddle pages), each batch with the
 * reasons of its rows on the page, and the reasons of no row when the page holds its first row.
 */
export function toRejectedBatchResponses(
  heads: RejectedBatchHead[],
  rows: RejectedRowEntry[],
): RejectedBatchResponseDto[] {
  return heads
    .map((head) => {
      const own = rows.filter((row) => row.batchNo === head.batchNo);
      const errors = own.flatMap((row) => JSON.parse(row.errors) as RejectedRowErrorDto[]);
      if (own[0]?.rowNo === 0) errors.push(...(JSON.parse(head.errors) as RejectedRowErrorDto[]));
      return {
        batch: head.batchNo,
        firstLine: head.firstLine,
        lastLine: head.lastLine,
        rows: own.map((row) => JSON.parse(row.rawRow) as RejectedBatchResponseDto['rows'][number]),
        errors,
      };
    })
    .filter((batch) => batch.rows.length > 0);
}
