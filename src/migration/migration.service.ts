import { Injectable, type MessageEvent } from '@nestjs/common';
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
import { type RejectedPage, toRejectedBatchResponse, toRunResponse } from './run-mapper';
import { UploadReceiver, type Upload } from './upload/upload-receiver';

/** The migration runs as the API offers them: start from an upload or a JSON batch, list, read back. */
@Injectable()
export class MigrationService {
  constructor(
    private readonly receiver: UploadReceiver,
    private readonly csv: CsvLoadService,
    private readonly json: JsonBatchService,
    private readonly runs: MigrationRunsRepository,
    private readonly asyncRuns: AsyncRunsService,
    private readonly events: RunEventsService,
    private readonly rejects: RejectsCsvService,
  ) {}

  async loadUpload(upload: Upload): Promise<{ runs: RunResponseDto[] }> {
    const runs: MigrationRunEntity[] = [];
    try {
      await this.receiver.receive(upload, async (options, file) => {
        runs.push(await this.csv.loadFile(file.table, file.fileName, file.stream, options));
      });
    } catch (error) {
      // Files before the one refused were loaded: say so, with their runs.
      if (!(error instanceof DomainError) || runs.length === 0) throw error;
      throw new DomainError(error.code, `${error.message} (the files before it were loaded: see runs)`, {
        ...error.details,
        runs: runs.map(toRunResponse),
      });
    }
    const order = (run: MigrationRunEntity) => TABLE_NAMES.indexOf(run.tableName as (typeof TABLE_NAMES)[number]);
    return { runs: runs.sort((a, b) => order(a) - order(b) || a.id - b.id).map(toRunResponse) };
  }

  /** Receives the upload, creates its runs and answers; the files load afterwards (see AsyncRunsService). */
  async startUpload(upload: Upload): Promise<{ runs: RunResponseDto[] }> {
    return { runs: (await this.asyncRuns.start(upload)).map(toRunResponse) };
  }

  followRun(id: number): Promise<Observable<MessageEvent>> {
    return this.events.follow(id);
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
    const rejected = await this.runs.findRejectedBatches(id, page);
    const rejectedTotal = await this.runs.countRejectedRows(id);
    return {
      ...toRunResponse(run),
      rejected: rejected.map((batch) => toRejectedBatchResponse(batch, page)),
      rejectedTotal,
    };
  }
}
