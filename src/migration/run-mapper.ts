import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import type { RejectedBatchEntity } from '../database/entities/rejected-batch.entity';
import type { RejectedBatchResponseDto, RunResponseDto } from './dto/run-response.dto';

export function toRunResponse(run: MigrationRunEntity): RunResponseDto {
  const response: RunResponseDto = {
    id: run.id,
    table: run.tableName,
    file: run.fileName,
    status: run.status,
    batchSize: run.batchSize,
    rejectMode: run.rejectMode,
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
  };
  if (run.status === 'failed' && run.error) response.error = run.error;
  return response;
}

export function toRejectedBatchResponse(batch: RejectedBatchEntity): RejectedBatchResponseDto {
  return {
    batch: batch.batchNo,
    firstLine: batch.firstLine,
    lastLine: batch.lastLine,
    rows: JSON.parse(batch.rawRows) as RejectedBatchResponseDto['rows'],
    errors: JSON.parse(batch.errors) as RejectedBatchResponseDto['errors'],
  };
}
