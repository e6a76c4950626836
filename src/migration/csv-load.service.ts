import { Injectable, Logger } from '@nestjs/common';
import type { Readable } from 'node:stream';
import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import { TABLE_COLUMNS, type TableName } from '../database/tables';
import { CsvRowReader } from './csv/csv-row-reader';
import { RunMemory } from './load/batch-preparer';
import { RunLoader } from './load/run-loader';
import { MigrationRunsRepository } from './repositories/migration-runs.repository';
import type { LoadOptions } from './upload/upload-options';

/** One migration run: one CSV stream into one table, from its first batch to its summary. */
@Injectable()
export class CsvLoadService {
  private readonly logger = new Logger('MigrationRun');

  constructor(
    private readonly runs: MigrationRunsRepository,
    private readonly loader: RunLoader,
  ) {}

  async loadFile(
    table: TableName,
    fileName: string,
    stream: Readable,
    options: LoadOptions,
  ): Promise<MigrationRunEntity> {
    const run = await this.runs.createRun({
      table,
      file: fileName,
      batchSize: options.batchSize,
      rejectMode: options.rejectMode,
    });
    const reader = new CsvRowReader(
      TABLE_COLUMNS[table].map((c) => c.name),
      options.header,
    );
    let error: string | null = null;
    try {
      const target = { runId: run.id, table, rejectMode: options.rejectMode };
      const batches = await this.loader.load(target, new RunMemory(table), reader.read(stream), options.batchSize);
      if (batches.length === 0)
        error = reader.headerSkipped ? 'The file has a header but no rows' : 'The file is empty';
    } catch (cause) {
      error = 'The file could not be read to its end: the upload was stopped or the database stopped answering';
      this.logger.warn(`Run ${run.id} failed: ${String(cause)}`);
    }
    return this.runs.finishRun(run.id, {
      status: error ? 'failed' : 'completed',
      error,
      headerSkipped: reader.headerSkipped,
    });
  }
}
