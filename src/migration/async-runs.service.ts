import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import { CsvLoadService, INTERRUPTED_REASON } from './csv-load.service';
import { MigrationRunsRepository } from './repositories/migration-runs.repository';
import { UploadReceiver, type SpooledUpload, type Upload } from './upload/upload-receiver';

/** Queued and loading runs beat this often, well inside the sweeper's STALE_RUN_MS. */
export const ASYNC_HEARTBEAT_MS = 10 * 1000;

/**
 * Async runs (`POST /migrate?async=true`): the upload is received into temporary files, one run per
 * file is created at once (status running, so the client knows every id), and the files are then
 * loaded one after another in dependency order, after the answer. Every run of the upload that has
 * not ended beats every 10 s, queued ones included, so the interrupted-runs sweeper leaves them
 * alone. On shutdown the loading run is stopped and every unfinished run ends as interrupted.
 */
@Injectable()
export class AsyncRunsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('MigrationRun');
  private readonly jobs = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly receiver: UploadReceiver,
    private readonly csv: CsvLoadService,
    private readonly runs: MigrationRunsRepository,
  ) {}

  async start(upload: Upload): Promise<MigrationRunEntity[]> {
    const spooled = await this.receiver.receiveToDisk(upload);
    const created: MigrationRunEntity[] = [];
    try {
      for (const file of spooled.files) {
        const { batchSize, rejectMode } = spooled.options;
        created.push(
          await this.runs.createRun({
            table: file.table,
            file: file.fileName,
            batchSize,
            rejectMode,
            bytesTotal: file.bytes,
          }),
        );
      }
    } catch (error) {
      await this.endUnstarted(
        created.map((r) => r.id),
        'The upload could not be queued: the database stopped answering; nothing of it was loaded',
      );
      await spooled.dispose();
      throw error;
    }
    const job: Promise<void> = this.loadAll(spooled, created)
      .catch((error: unknown) => this.logger.error(`An async upload stopped: ${String(error)}`))
      .finally(() => this.jobs.delete(job));
    this.jobs.add(job);
    return created;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.jobs]);
  }

  private async loadAll(spooled: SpooledUpload, runs: MigrationRunEntity[]): Promise<void> {
    const unfinished = new Set(runs.map((r) => r.id));
    const heartbeat = setInterval(() => {
      this.runs.touchRuns([...unfinished]).catch((error: unknown) => this.logger.warn(`Heartbeat: ${String(error)}`));
    }, ASYNC_HEARTBEAT_MS);
    heartbeat.unref();
    try {
      for (const [i, file] of spooled.files.entries()) {
        const run = runs[i];
        if (this.stopping.signal.aborted) break;
        try {
          await this.runs.markRunStarted(run.id);
          const stream = createReadStream(file.path);
          // Destroyed on shutdown, perhaps before the load reads it: the load sees the error when it reads.
          stream.on('error', () => undefined);
          const stop = () => stream.destroy(new Error('The service is stopping'));
          this.stopping.signal.addEventListener('abort', stop, { once: true });
          // Stopped while the run was being marked started: the listener came too late to hear it.
          if (this.stopping.signal.aborted) stop();
          try {
            await this.csv.loadQueuedRun(run, stream, spooled.options, this.stopping.signal);
          } finally {
            this.stopping.signal.removeEventListener('abort', stop);
            stream.destroy();
          }
        } catch (error) {
          // Refused (a restore holds the table: the run is ended with the reason), or the database
          // stopped answering (the run is ended when it is back, or by the sweeper once stale).
          this.logger.error(`Run ${run.id} stopped: ${String(error)}`);
        }
        unfinished.delete(run.id);
      }
      await this.endUnstarted([...unfinished], INTERRUPTED_REASON);
    } finally {
      clearInterval(heartbeat);
      await spooled.dispose();
    }
  }

  private async endUnstarted(runIds: number[], error: string): Promise<void> {
    for (const id of runIds) {
      await this.runs
        .finishRun(id, { status: 'failed', error, headerSkipped: false })
        .catch((error: unknown) => this.logger.error(`Run ${id} could not be ended: ${String(error)}`));
    }
  }
}
