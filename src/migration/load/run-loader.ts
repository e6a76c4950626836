import { Injectable } from '@nestjs/common';
import { DataChangeService } from '../../database/data-change.service';
import { BatchPreparer, RunMemory } from './batch-preparer';
import { BatchWriter, type BatchOutcome, type BatchTarget } from './batch-writer';
import type { SourceRow } from './source-row';

/**
 * Loads a stream of rows into one table, batch by batch. One batch is in flight: the next batch is
 * checked while the previous one commits, and the source is only read when a batch is wanted.
 */
@Injectable()
export class RunLoader {
  constructor(
    private readonly preparer: BatchPreparer,
    private readonly writer: BatchWriter,
    private readonly changes: DataChangeService,
  ) {}

  async load(
    target: BatchTarget,
    memory: RunMemory,
    source: AsyncIterable<SourceRow[]>,
    batchSize: number,
  ): Promise<BatchOutcome[]> {
    const outcomes: BatchOutcome[] = [];
    let inflight: Promise<void> | undefined;
    let batchNo = 0;
    try {
      for await (const rows of inBatches(source, batchSize)) {
        const batch = this.preparer.check(memory, ++batchNo, rows);
        if (inflight) await inflight;
        await this.preparer.checkReferences(memory, batch);
        inflight = this.writer.write(target, batch).then((outcome) => {
          outcomes.push(outcome);
          if (outcome.rowsInserted > 0) this.changes.changed(target.table);
        });
        // Observed by the next await; this keeps a failure from being reported as unhandled meanwhile.
        inflight.catch(() => undefined);
      }
      if (inflight) await inflight;
    } finally {
      if (inflight) await inflight.catch(() => undefined);
    }
    return outcomes;
  }
}

/** Regroups rows, as they come in chunks, into batches of exactly `size` (the last may be shorter). */
export async function* inBatches(source: AsyncIterable<SourceRow[]>, size: number): AsyncGenerator<SourceRow[]> {
  let batch: SourceRow[] = [];
  for await (const rows of source) {
    for (const row of rows) {
      batch.push(row);
      if (batch.length === size) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}
