import { NotCsvFileError, refuseBinary } from './csv/binary-file';
import { Injectable, Logger } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { LeaseLostError } from '../coordination/lease-store';
import type { Fence } from '../coordination/table-guard';
import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import type { TableName } from '../database/tables';
import { CommitOutcomeUnknownError, isConnectionError } from '../database/database-errors';
import { CsvHeaderError, CsvRowReader } from './csv/csv-row-reader';
import { RunMemory } from './load/batch-preparer';
import type { BatchTarget } from './load/batch-writer';
import { RejectLimitError, RunLoader } from './load/run-loader';
import { INTERRUPTED_REASON, RunLifecycle } from './run-lifecycle.service';
import type { LoadOptions } from './upload/upload-options';

/** One migration run: one CSV stream into one table, from its first batch to its summary. */
@Injectable()
export class CsvLoadService {
  private readonly logger = new Logger('MigrationRun');

  constructor(
    private readonly lifecycle: RunLifecycle,
    private readonly loader: RunLoader,
  ) {}

  /** Creates the run (409 TABLE_BUSY while a restore holds the table) and loads the stream into it. */
  async loadFile(
    table: TableName,
    fileName: string,
    stream: Readable,
    options: LoadOptions,
  ): Promise<MigrationRunEntity> {
    const { run, lease } = await this.lifecycle.start({
      table,
      file: fileName,
      batchSize: options.batchSize,
      rejectMode: options.rejectMode,
      dryRun: options.dryRun,
      delimiter: options.delimiter,
    });
    try {
      return await this.loadIntoRun(run, stream, options, lease.fence);
    } finally {
      await lease.release();
    }
  }

  /**
   * Loads a stream into a run queued beforehand by an async upload, and ends the run. A restore
   * holding the table ends the run as failed with the reason.
   */
  async loadQueuedRun(
    run: MigrationRunEntity,
    stream: Readable,
    options: LoadOptions,
    signal?: AbortSignal,
  ): Promise<MigrationRunEntity> {
    const lease = await this.lifecycle.beginQueued(run);
    try {
      return await this.loadIntoRun(run, stream, options, lease.fence, signal);
    } finally {
      await lease.release();
    }
  }

  private async loadIntoRun(
    run: MigrationRunEntity,
    stream: Readable,
    options: LoadOptions,
    fence: Fence,
    signal?: AbortSignal,
  ): Promise<MigrationRunEntity> {
    const table = run.tableName as TableName;
    const reader = new CsvRowReader(table, options);
    const counted = new ByteCounter(stream);
    let error: string | null = null;
    try {
      const target: BatchTarget = {
        runId: run.id,
        table,
        rejectMode: options.rejectMode,
        bytesRead: () => counted.bytes,
        dryRun: options.dryRun,
        wouldWrite: options.dryRun ? wouldWrite(options, table) : undefined,
        maxRejected: options.maxRejected,
        fence,
      };
      const rows = reader.read(refuseBinary(counted.chunks()));
      const batches = await this.loader.load(target, runMemory(table, options), rows, options.batchSize);
      if (batches === 0) error = reader.headerSkipped ? 'The file has a header but no rows' : 'The file is empty';
    } catch (cause) {
      error = signal?.aborted ? INTERRUPTED_REASON : runFailure(cause);
      this.logger.warn(`Run ${run.id} failed: ${String(cause)}`, { runId: run.id });
    }
    return this.lifecycle.end(run.id, {
      status: error ? 'failed' : 'completed',
      error,
      headerSkipped: reader.headerSkipped,
      bytesRead: counted.bytes,
      headerText: reader.headerText ?? null,
    });
  }
}

/** A dry run's memory starts with the ids the upload's earlier files would have written: they are not in the database. */
function runMemory(table: TableName, options: LoadOptions): RunMemory {
  const memory = new RunMemory(table);
  if (options.dryRun) for (const [t, ids] of options.uploadIds) for (const id of ids) memory.known(t).add(id);
  return memory;
}

function wouldWrite(options: LoadOptions, table: TableName): Set<number> {
  let ids = options.uploadIds.get(table);
  if (!ids) options.uploadIds.set(table, (ids = new Set()));
  return ids;
}

/** Why a run stopped before the end of its file, for the run log. */
function runFailure(cause: unknown): string {
  const resend =
    'the batches counted here are committed; send the file again to complete it (rows already in are updated)';
  if (cause instanceof CsvHeaderError || cause instanceof RejectLimitError || cause instanceof NotCsvFileError) {
    return cause.message;
  }
  if (cause instanceof CommitOutcomeUnknownError) {
    return `The database connection was lost while a batch was committing and whether it committed could not be found out, so the run stopped; ${resend}`;
  }
  if (isConnectionError(cause)) return `The database stopped answering, so the run stopped; ${resend}`;
  if (cause instanceof LeaseLostError) {
    return `This replica lost the run to another replica (it stopped renewing its lease in time), so the run stopped; ${resend}`;
  }
  return 'The file could not be read to its end: the upload was stopped or the database stopped answering';
}

/** Counts the bytes taken from a stream, read only as fast as its consumer asks. */
class ByteCounter {
  bytes = 0;

  constructor(private readonly stream: Readable) {}

  async *chunks(): AsyncGenerator<Buffer | string> {
    // A run that stops early must not destroy an upload's file stream: the upload drains it instead
    // (a destroyed file stream leaves the multipart parser waiting forever).
    for await (const chunk of this.stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer | string>) {
      this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      yield chunk;
    }
  }
}
