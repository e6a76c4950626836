import { Injectable } from '@nestjs/common';
import { DataChangeService } from '../../database/data-change.service';
import { BatchPreparer, RunMemory, type PreparedBatch } from './batch-preparer';
import { BatchWriter, type BatchOutcome, type BatchTarget } from './batch-writer';
import type { SourceRow } from './source-row';

/**
 * Loads a stream of rows into one table, batch by batch. The next batch is read and checked while
 * earlier ones commit; at most `batchesInFlight` are written at once, and the source is only read
 * when a batch is wanted, so a slow database slows the upload down instead of filling memory.
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
    onBatch: (outcome: BatchOutcome) => void = () => undefined,
  ): Promise<number> {
    // Outcomes are handed on, not kept: a file of a million bad rows must not pile up their reasons.
    let written = 0;
    const inflight: Promise<void>[] = [];
    const limit = this.writer.batchesInFlight;
    let batchNo = 0;
    // Rows rejected by the batches written or being written; a batch the database refuses adds the rest.
    let rejected = 0;
    try {
      for await (const rows of inBatches(source, batchSize)) {
        const batch = this.preparer.check(memory, ++batchNo, rows);
        await this.preparer.checkReferences(memory, batch);
        const rejecting = rejectedRows(target, batch);
        // Encoded before it waits for a connection: what waits is one buffer, not a thousand value arrays.
        this.preparer.seal(target.table, batch, target.rejectMode, target.dryRun === true);
        while (inflight.length >= limit) await inflight.shift();
        if (target.maxRejected !== undefined && rejected + rejecting > target.maxRejected) {
          while (inflight.length > 0) await inflight.shift();
          throw new RejectLimitError(batch, rejected + rejecting, target.maxRejected);
        }
        rejected += rejecting;
        const writing = this.writer.write(target, batch).then((outcome) => {
          rejected += outcome.rowsRejected - rejecting;
          written++;
          onBatch(outcome);
          if (outcome.rowsInserted > 0 && !target.dryRun) this.changes.changed(target.table);
        });
        // Observed when awaited below; this keeps a failure from being reported as unhandled meanwhile.
        writing.catch(() => undefined);
        inflight.push(writing);
      }
      while (inflight.length > 0) await inflight.shift();
    } finally {
      await Promise.allSettled(inflight);
    }
    return written;
  }
}

/** The rows of a checked batch that will not be written. */
function rejectedRows(target: BatchTarget, batch: PreparedBatch): number {
  if (batch.bad.size === 0) return 0;
  return target.rejectMode === 'row' ? batch.rows.length - batch.good.length : batch.rows.length;
}

/** A run stopped before the batch that would bring its rejected rows past maxRejected. */
export class RejectLimitError extends Error {
  constructor(batch: PreparedBatch, wouldReject: number, maxRejected: number) {
    const first = batch.rows[0]?.line ?? 0;
    const last = batch.rows[batch.rows.length - 1]?.line ?? first;
    const before =
      batch.batchNo === 1
        ? 'nothing was written'
        : `the ${batch.batchNo - 1} batches before it are committed (rows already in are updated when it is sent again)`;
    super(
      `maxRejected=${maxRejected} was reached: batch ${batch.batchNo} (lines ${first}-${last}) would bring the ` +
        `rejected rows to ${wouldReject}, so the run stopped before writing it; ${before}. Fix the file (a dry ` +
        'run lists every reject) and send it again',
    );
    this.name = 'RejectLimitError';
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
