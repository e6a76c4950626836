import { Injectable, type MessageEvent } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import type { Observable } from 'rxjs';
import { DomainError } from '../common/errors/domain-error';
import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import { TABLE_NAMES } from '../database/tables';
import { AsyncRunsService } from './async-runs.service';
import { CsvLoadService } from './csv-load.service';
import type { RunDetailResponseDto, RunListResponseDto, RunResponseDto } from './dto/run-response.dto';
import { JsonBatchService } from './json-batch.service';
import { MigrationRunsRepository } from './repositories/migration-runs.repository';
import { RejectsCsvService, type RejectsCsv } from './rejects-csv.service';
import { RunEventsService } from './run-events.service';
import { type RejectedPage, toRejectedBatchResponses, toRunResponse } from './run-mapper';
import { withLoadedRuns } from './upload/upload-errors';
import type { ReceivedUpload } from './upload/upload-session';

/** The migration runs as the API offers them: start from an upload or a JSON batch, list, read back. */
@Injectable()
export class MigrationService {
  constructor(
    private readonly csv: CsvLoadService,
    private readonly json: JsonBatchService,
    private readonly runs: MigrationRunsRepository,
    private readonly asyncRuns: AsyncRunsService,
    private readonly events: RunEventsService,
    private readonly rejects: RejectsCsvService,
  ) {}

  /** Loads the files of an upload that waited on disk for their dependencies, after those loaded as they arrived. */
  async loadUpload(upload: ReceivedUpload): Promise<{ runs: RunResponseDto[] }> {
    const runs = [...upload.loaded];
    try {
      for (const file of upload.files) {
        const stream = createReadStream(file.path);
        try {
          runs.push(await this.csv.loadFile(file.table, file.fileName, stream, upload.options));
        } finally {
          stream.destroy();
        }
      }
    } catch (error) {
      throw withLoadedRuns(error, runs);
    } finally {
      await upload.dispose();
    }
    const order = (run: MigrationRunEntity) => TABLE_NAMES.indexOf(run.tableName as (typeof TABLE_NAMES)[number]);
    return { runs: runs.sort((a, b) => order(a) - order(b) || a.id - b.id).map(toRunResponse) };
  }

  /** Creates the runs of a received upload and answers; the files load afterwards (see AsyncRunsService). */
  async startUpload(upload: ReceivedUpload): Promise<{ runs: RunResponseDto[] }> {
    return { runs: (await this.asyncRuns.start(upload)).map(toRunResponse) };
  }

  /** `client`: the address its streams are counted against. */
  followRun(id: number, client: string): Promise<Observable<MessageEvent>> {
    return this.events.follow(id, client);
  }

  async loadJsonBatch(table: string, body: unknown): Promise<RunResponseDto> {
    return toRunResponse(await this.json.load(table, body));
  }

  async listRuns(limit = 50, offset = 0): Promise<RunListResponseDto> {
    const { items, total } = await this.runs.listRuns(limit, offset);
    return { items: items.map(toRunResponse), total };
  }

  /** The rows of a run that were not written, as CSV (404 for an unknown run before any byte is sent). */
  openRejectsCsv(id: number, reasons: boolean): Promise<RejectsCsv> {
    return this.rejects.open(id, reasons);
  }

  /** One run with one page of its reject log, so that a run of a million rejected rows answers in a few KB. */
  async getRun(id: number, page: RejectedPage = { offset: 0, limit: 100 }): Promise<RunDetailResponseDto> {
    const run = await this.runs.findRun(id);
    if (!run) throw new DomainError('MIGRATION_RUN_NOT_FOUND', `There is no migration run ${id}`);
    const heads = await this.runs.findRejectedBatchHeads(id, page);
    const first = heads[0];
    const rows = first
      ? await this.runs.findRejectedRows(
          id,
          { batchNo: first.batchNo, rowNo: Math.max(0, page.offset - first.rowsBefore) },
          page.limit,
          { text: false },
        )
      : [];
    const rejectedTotal = await this.runs.countRejectedRows(id);
    return { ...toRunResponse(run), rejected: toRejectedBatchResponses(heads, rows), rejectedTotal };
  }
}
