import { Injectable, Logger } from '@nestjs/common';
import type { Readable } from 'node:stream';
import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import { TABLE_COLUMNS, type TableName } from '../database/tables';
import { CsvRowReader } from './csv/csv-row-reader';
import { RunMemory } from './load/batch-preparer';
import { RunLoader } from './load/run-loader';
import { MigrationRunsRepository } from './repositories/migration-runs.repository';
import type { LoadOptions } from './upload/upload-options';

export const INTERRUPTED_REASON =
  'interrupted: the service stopped during this run; the batches counted here were committed';

/** One migration run: one CSV stream into one table, from its first batch to its summary. */
@Injectable()
export class CsvLoadService {
  private readonly logger = new Logger('MigrationRun');

  constructor(
    private readonly runs: MigrationRunsRepository,
    private readonly loader: RunLoader,
  ) {}

  /** Creates the run and loads the stream into it. */
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
    return this.loadIntoRun(run, stream, options);
  }

  /** Loads a stream into a run created beforehand (status running) and ends the run. */
  async loadIntoRun(
    run: MigrationRunEntity,
    stream: Readable,
    options: LoadOptions,
    signal?: AbortSignal,
  ): Promise<MigrationRunEntity> {
    const table = run.tableName as TableName;
    const reader = new CsvRowReader(
      TABLE_COLUMNS[table].map((c) => c.name),
      options.header,
    );
    const counted = new ByteCounter(stream);
    let error: string | null = null;
    try {
      const target = { runId: run.id, table, rejectMode: options.rejectMode, bytesRead: () => counted.bytes };
      const rows = reader.read(counted.chunks());
      const batches = await this.loader.load(target, new RunMemory(table), rows, options.batchSize);
      if (batches === 0) error = reader.headerSkipped ? 'The file has a header but no rows' : 'The file is empty';
    } catch (cause) {
      error = signal?.aborted
        ? INTERRUPTED_REASON
        : 'The file could not be read to its end: the upload was stopped or the database stopped answering';
      this.logger.warn(`Run ${run.id} failed: ${String(cause)}`);
    }
    return this.runs.finishRun(run.id, {
      status: error ? 'failed' : 'completed',
      error,
      headerSkipped: reader.headerSkipped,
      bytesRead: counted.bytes,
    });
  }
}

/** Counts the bytes taken from a stream, read only as fast as its consumer asks. */
class ByteCounter {
  bytes = 0;

  constructor(private readonly stream: Readable) {}

  async *chunks(): AsyncGenerator<Buffer | string> {
    for await (const chunk of this.stream as AsyncIterable<Buffer | string>) {
      this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      yield chunk;
    }
  }
}
