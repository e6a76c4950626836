import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import { CsvLoadService } from './csv-load.service';
import { RunLifecycle } from './run-lifecycle.service';
import type { ReceivedUpload } from './upload/upload-session';

/**
 * Async runs (`POST /migrate?async=true`): the upload is received into temporary files, one run per
 * file is created at once (status running, so the client knows every id), and the files are then
 * loaded one after another in dependency order, after the answer. RunLifecycle keeps the queued runs
 * alive until they end. On shutdown the loading run is stopped and every unfinished run ends as
 * interrupted.
 */
@Injectable()
export class AsyncRunsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('MigrationRun');
  private readonly jobs = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly csv: CsvLoadService,
    private readonly lifecycle: RunLifecycle,
  ) {}

  async start(spooled: ReceivedUpload): Promise<MigrationRunEntity[]> {
    const { batchSize, rejectMode, dryRun, delimiter } = spooled.options;
    let created: MigrationRunEntity[];
    try {
      created = await this.lifecycle.queue(
        spooled.files.map((file) => ({
          table: file.table,
          file: file.fileName,
          batchSize,
          rejectMode,
          dryRun,
          delimiter,
          bytesTotal: file.bytes,
        })),
      );
    } catch (error) {
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

  private async loadAll(spooled: ReceivedUpload, runs: MigrationRunEntity[]): Promise<void> {
    const unfinished = new Set(runs.map((r) => r.id));
    try {
      for (const [i, file] of spooled.files.entries()) {
        const run = runs[i];
        if (this.stopping.signal.aborted) break;
        try {
          const stream = createReadStream(file.path);
          // Destroyed on shutdown, perhaps before the load reads it: the load sees the error when it reads.
          stream.on('error', () => undefined);
          const stop = () => stream.destroy(new Error('The service is stopping'));
          this.stopping.signal.addEventListener('abort', stop, { once: true });
          // Stopped before the listener was added: it came too late to hear it.
          if (this.stopping.signal.aborted) stop();
          try {
            await this.csv.loadQueuedRun(run, stream, spooled.options, this.stopping.signal);
          } finally {
            this.stopping.signal.removeEventListener('abort', stop);
            stream.destroy();
          }
        } catch (error) {
          // Refused (a restore holds the table: the run is ended with the reason), or the database
          // stopped answering (the run is ended when it is back).
          this.logger.error(`Run ${run.id} stopped: ${String(error)}`, { runId: run.id });
        }
        unfinished.delete(run.id);
      }
      await this.lifecycle.interrupt([...unfinished]);
    } finally {
      await spooled.dispose();
    }
  }
}
