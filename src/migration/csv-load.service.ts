import { Injectable, Logger } from '@nestjs/common';
import type { Readable } from 'node:stream';
import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import { TABLE_COLUMNS, type TableName } from '../database/tables';
import { CommitOutcomeUnknownError, isConnectionError } from '../database/database-errors';
import { CsvRowReader } from './csv/csv-row-reader';
import { InterruptedRunsService } from './interrupted-runs.service';
import { RunMemory } from './load/batch-preparer';
import { RunLoader } from './load/run-loader';
import { RunGate } from './run-gate';
import type { LoadOptions } from './upload/upload-options';

/** One migration run: one CSV stream into one table, from its first batch to its summary. */
@Injectable()
export class CsvLoadService {
  private readonly logger = new Logger('MigrationRun');

  constructor(
    private readonly gate: RunGate,
    private readonly loader: RunLoader,
    private readonly endings: InterruptedRunsService,
  ) {}

  async loadFile(
    table: TableName,
    fileName: string,
    stream: Readable,
    options: LoadOptions,
  ): Promise<MigrationRunEntity> {
    const { run, lease } = await this.gate.start({
      table,
      file: fileName,
      batchSize: options.batchSize,
      rejectMode: options.rejectMode,
    });
    try {
      return await this.loadRun(run, table, stream, options);
    } finally {
      await lease.release();
    }
  }

  private async loadRun(
    run: MigrationRunEntity,
    table: TableName,
    stream: Readable,
    options: LoadOptions,
  ): Promise<MigrationRunEntity> {
    const reader = new CsvRowReader(
      TABLE_COLUMNS[table].map((c) => c.name),
      options.header,
    );
    let error: string | null = null;
    try {
      const target = { runId: run.id, table, rejectMode: options.rejectMode };
      const batches = await this.loader.load(target, new RunMemory(table), reader.read(stream), options.batchSize);
      if (batches === 0) error = reader.headerSkipped ? 'The file has a header but no rows' : 'The file is empty';
    } catch (cause) {
      error = runFailure(cause);
      this.logger.warn(`Run ${run.id} failed: ${String(cause)}`);
    }
    return this.endings.finish(run.id, {
      status: error ? 'failed' : 'completed',
      error,
      headerSkipped: reader.headerSkipped,
    });
  }
}

/** Why a run stopped before the end of its file, for the run log. */
function runFailure(cause: unknown): string {
  const resend =
    'the batches counted here are committed; send the file again to complete it (rows already in are updated)';
  if (cause instanceof CommitOutcomeUnknownError) {
    return `The database connection was lost while a batch was committing, so the run stopped; ${resend}`;
  }
  if (isConnectionError(cause)) return `The database stopped answering, so the run stopped; ${resend}`;
  return 'The file could not be read to its end: the upload was stopped or the database stopped answering';
}
