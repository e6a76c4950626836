import {
  Body,
  Controller,
  Get,
  HttpCode,
  Ip,
  type MessageEvent,
  Param,
  Post,
  Query,
  Res,
  Sse,
  StreamableFile,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { Observable } from 'rxjs';
import { IdParam } from '../common/validation/query-integer';
import { TABLE_NAMES } from '../database/tables';
import { DepartmentRowDto } from './dto/department-row.dto';
import { HiredEmployeeRowDto } from './dto/hired-employee-row.dto';
import { JobRowDto } from './dto/job-row.dto';
import { GetRunQueryDto } from './dto/get-run-query.dto';
import { ListRunsQueryDto } from './dto/list-runs-query.dto';
import {
  ErrorResponseDto,
  JsonBatchRejectedResponseDto,
  RunDetailResponseDto,
  RunListResponseDto,
  RunResponseDto,
  StartMigrationRunResponseDto,
  JsonBatchErrorResponseDto,
  UploadRefusedResponseDto,
} from './dto/run-response.dto';
import { RejectsCsvQueryDto } from './dto/rejects-csv-query.dto';
import { StartMigrationQueryDto } from './dto/start-migration-query.dto';
import { StartMigrationRunDto } from './dto/start-migration-run.dto';
import { MigrationService } from './migration.service';
import { Received } from './upload/received.decorator';
import type { ReceivedUpload } from './upload/upload-session';
import { UploadInterceptor } from './upload/upload.interceptor';

@ApiTags('migration runs')
@ApiExtraModels(DepartmentRowDto, JobRowDto, HiredEmployeeRowDto, ErrorResponseDto)
@Controller('migrate')
export class MigrationController {
  constructor(private readonly migration: MigrationService) {}

  @Post()
  @HttpCode(201)
  @UseInterceptors(UploadInterceptor)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Load CSV files, streamed, in dependency order (departments, jobs, hired_employees)',
    description:
      'The options are form fields, in any order, or query parameters (a form field wins). Fields sent before the ' +
      'files let each file load as it arrives; a file sent before the fields is spooled to a temporary file and ' +
      'loads once every field is known, so no answer but 201/202 leaves rows written. The table comes from the ' +
      'table field or from each file name (departments*.csv, jobs*.csv, hired_employees*.csv); a file named for ' +
      'another table than the table field is refused unless force=true. A file sent before a file it depends on is ' +
      'spooled and loaded after it. A file that is not text (an image, a zip, an xlsx) fails its run with one ' +
      'reason. Example: curl -H "Authorization: Bearer $API_KEY" -F rejectMode=row ' +
      '-F file=@departments.csv -F file=@jobs.csv -F file=@hired_employees.csv http://localhost:3000/migrate. ' +
      'With ?async=true the answer is 202 as soon as the upload is received, and the files load afterwards. ' +
      'Limits: at most 10 files per request (400 when an eleventh begins; files already loaded are listed in ' +
      'runs); a field longer than 65,536 characters, a line longer than 1,048,576 characters, bytes that are not ' +
      'UTF-8 or control characters make the row rejected with its reason.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: StartMigrationRunDto })
  @ApiResponse({ status: 201, type: StartMigrationRunResponseDto, description: 'One run per file, ended' })
  @ApiResponse({
    status: 202,
    type: StartMigrationRunResponseDto,
    description: 'async=true: one run per file, every one status running; the files load in the background',
    headers: { Location: { description: 'The first run: /migrate/runs/<id>', schema: { type: 'string' } } },
  })
  @ApiResponse({
    status: 400,
    type: UploadRefusedResponseDto,
    description: 'No file, unknown table, a file named for another table, or a bad option',
  })
  @ApiResponse({ status: 401, type: ErrorResponseDto, description: 'No or a wrong API key' })
  @ApiResponse({ status: 413, type: UploadRefusedResponseDto, description: 'Larger than MAX_UPLOAD_MB' })
  @ApiResponse({
    status: 408,
    type: UploadRefusedResponseDto,
    description: 'MIGRATION_UPLOAD_IDLE: the upload sent nothing for UPLOAD_IDLE_SECONDS; its run is failed',
  })
  @ApiResponse({
    status: 409,
    type: UploadRefusedResponseDto,
    description: 'TABLE_BUSY: a restore of the table is in progress',
  })
  @ApiResponse({
    status: 503,
    type: UploadRefusedResponseDto,
    description:
      'DATABASE_UNAVAILABLE: the database stopped answering for longer than DATABASE_RETRY_SECONDS (a connection lost meanwhile, during a COMMIT too, is retried); the run is marked failed with the batches it committed',
  })
  async startFromUpload(
    @Received() upload: ReceivedUpload,
    @Query() query: StartMigrationQueryDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StartMigrationRunResponseDto> {
    if (query.async !== 'true') return this.migration.loadUpload(upload);
    const started = await this.migration.startUpload(upload);
    response.status(202).location(`/migrate/runs/${started.runs[0].id}`);
    return started;
  }

  @Post(':table')
  @HttpCode(201)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Load one batch of 1..1000 rows given as JSON, all or nothing, in one transaction' })
  @ApiParam({ name: 'table', enum: TABLE_NAMES })
  @ApiBody({
    schema: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        oneOf: [
          { $ref: getSchemaPath(DepartmentRowDto) },
          { $ref: getSchemaPath(JobRowDto) },
          { $ref: getSchemaPath(HiredEmployeeRowDto) },
        ],
      },
      example: [{ id: 1, name: 'Harold Vogt', datetime: '2021-11-07T02:48:42Z', department_id: 2, job_id: 96 }],
    },
  })
  @ApiResponse({ status: 201, type: RunResponseDto })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description:
      'Unknown table; not an array of 1..1000 rows; malformed JSON, nested over 32 levels or over 100,000 values',
  })
  @ApiResponse({
    status: 408,
    type: ErrorResponseDto,
    description: 'REQUEST_BODY_IDLE: the body sent nothing for UPLOAD_IDLE_SECONDS; no run was created',
  })
  @ApiResponse({
    status: 409,
    type: ErrorResponseDto,
    description: 'TABLE_BUSY: a restore of the table is in progress',
  })
  @ApiResponse({
    status: 503,
    type: JsonBatchErrorResponseDto,
    description: 'DATABASE_UNAVAILABLE: the database stopped answering',
  })
  @ApiResponse({
    status: 422,
    type: JsonBatchRejectedResponseDto,
    description: 'Some rows break the rules; nothing written',
  })
  startFromJson(@Param('table') table: string, @Body() rows: unknown): Promise<RunResponseDto> {
    return this.migration.loadJsonBatch(table, rows);
  }

  @ApiBearerAuth()
  @ApiResponse({ status: 401, description: 'READ_API_KEY is set and no valid key was sent' })
  @Get('runs')
  @ApiOperation({ summary: 'The migration runs, newest first' })
  @ApiResponse({ status: 200, type: RunListResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'limit or offset is out of range' })
  listRuns(@Query() query: ListRunsQueryDto): Promise<RunListResponseDto> {
    return this.migration.listRuns(query.limit, query.offset);
  }

  @ApiBearerAuth()
  @ApiResponse({ status: 401, description: 'READ_API_KEY is set and no valid key was sent' })
  @Get('runs/:id')
  @ApiOperation({
    summary: 'One migration run with one page of its rejected batches (the reject log)',
    description:
      'The reject log is paged in rejected rows: ?rejectedOffset (default 0) rows are skipped and at most ' +
      '?rejectedLimit (1..1000, default 100) are answered, in their batches; rejectedTotal counts them all.',
  })
  @ApiResponse({ status: 200, type: RunDetailResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'The id or a paging parameter is out of range' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such run' })
  getRun(@IdParam('id', 'run id') id: number, @Query() query: GetRunQueryDto): Promise<RunDetailResponseDto> {
    return this.migration.getRun(id, { offset: query.rejectedOffset ?? 0, limit: query.rejectedLimit ?? 100 });
  }

  @ApiBearerAuth()
  @ApiResponse({ status: 401, description: 'READ_API_KEY is set and no valid key was sent' })
  @Get('runs/:id/rejects.csv')
  @ApiOperation({
    summary: 'The rows of a run that were not written, as sent, to fix and load again',
    description:
      "Every rejected row exactly as it was sent, in file order, after the file's header when it had one; a JSON " +
      "batch's rows in the table's column order. Attachment <table>-run-<id>-rejects.csv. Rows are kept whole; a " +
      'row longer than 1,048,576 characters is left out (reasons=true names it and why). The plain file is the ' +
      "sender's raw text, formulas included: open it in a spreadsheet only through reasons=true, whose cells are " +
      "neutralized (a ' before = + - @). Example: curl -o fix.csv http://localhost:3000/migrate/runs/3/rejects.csv",
  })
  @ApiResponse({
    status: 200,
    description: 'The rows to fix, streamed',
    content: {
      'text/csv': { schema: { type: 'string', example: 'id,name,datetime,department_id,job_id\n4,,,2,96\n' } },
    },
    headers: {
      'Content-Disposition': {
        description: 'attachment; filename="<table>-run-<id>-rejects.csv"',
        schema: { type: 'string' },
      },
    },
  })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'The id or reasons is out of range' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such run' })
  async getRejectsCsv(
    @IdParam('id', 'run id') id: number,
    @Query() query: RejectsCsvQueryDto,
  ): Promise<StreamableFile> {
    const csv = await this.migration.openRejectsCsv(id, query.reasons === 'true');
    return new StreamableFile(csv.stream, {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="${csv.fileName}"`,
    });
  }

  @Sse('runs/:id/events')
  @ApiOperation({
    summary: "A run's progress as server-sent events, until it ends",
    description:
      '`event: progress` with the run (the Run JSON, progress included) whenever its counters change, at most ' +
      'four a second; then `event: end` with the final run, and the stream closes. A run that has already ended ' +
      'gives one `end` event. The run is read from the database, so any replica can follow it. ' +
      'Each client may hold 5 streams at once and the service 100 in all (429 over either); a stream lasts ' +
      'at most 30 minutes, then ends with `event: error` saying to reconnect. ' +
      'Example: curl -N http://localhost:3000/migrate/runs/3/events',
  })
  @ApiResponse({
    status: 200,
    description: 'An event stream: `event: progress` / `event: end`, each with `data:` the Run as JSON',
    content: {
      'text/event-stream': {
        schema: { type: 'string', example: 'event: progress\nid: 1\ndata: {"id":3,"status":"running",...}\n\n' },
      },
    },
  })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'The id is not a run id (JSON, not a stream)' })
  @ApiResponse({
    status: 429,
    description: 'MIGRATION_TOO_MANY_STREAMS: this client, or the service in all, holds the most streams it may',
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponseDto) } } },
  })
  @ApiResponse({
    status: 404,
    description: 'No such run (JSON, not a stream)',
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponseDto) } } },
  })
  followRun(@IdParam('id', 'run id') id: number, @Ip() client: string): Promise<Observable<MessageEvent>> {
    return this.migration.followRun(id, client);
  }
}
