export { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { TABLE_NAMES } from '../../database/tables';

/** How far a file run has read its file. */
export class RunProgressResponseDto {
  @ApiProperty({
    type: 'integer',
    example: 52_428_800,
    description: 'Bytes of the file read so far (all of it once the run ended)',
  })
  bytesRead!: number;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 104_857_600,
    description: 'The file size: known for async runs (the upload is spooled first); null when the file was streamed',
  })
  bytesTotal!: number | null;
}

/** The summary of a migration run. `rowsRead = rowsInserted + rowsRejected`, `batchesTotal = batchesCommitted + batchesRejected`. */
export class RunResponseDto {
  @ApiProperty({ type: 'integer', example: 3 }) id!: number;
  @ApiProperty({ enum: TABLE_NAMES, example: 'hired_employees' }) table!: string;
  @ApiProperty({ type: String, nullable: true, example: 'hired_employees.csv', description: 'null for a JSON batch' })
  file!: string | null;
  @ApiProperty({
    enum: ['running', 'completed', 'failed'],
    example: 'completed',
    description: 'running: loading, or queued behind an earlier file of the same async upload',
  })
  status!: string;
  @ApiProperty({ type: 'integer', example: 1000 }) batchSize!: number;
  @ApiProperty({ enum: ['batch', 'row'], example: 'row' }) rejectMode!: string;
  @ApiProperty({
    example: false,
    description: 'A dry run: every rule applied, counts and reject log recorded, no row of the tables changed',
  })
  dryRun!: boolean;
  @ApiProperty({ example: false, description: 'The first line was a header and was skipped' }) headerSkipped!: boolean;
  @ApiProperty({ type: 'integer', example: 1999, description: 'Rows read (a header and blank lines are not rows)' })
  rowsRead!: number;
  @ApiProperty({
    type: 'integer',
    example: 1929,
    description: 'Rows written: inserted, or updated when the id existed',
  })
  rowsInserted!: number;
  @ApiProperty({ type: 'integer', example: 70 }) rowsRejected!: number;
  @ApiProperty({ type: 'integer', example: 2 }) batchesTotal!: number;
  @ApiProperty({ type: 'integer', example: 2, description: 'Batches that wrote at least one row' })
  batchesCommitted!: number;
  @ApiProperty({ type: 'integer', example: 0, description: 'Batches that wrote nothing' }) batchesRejected!: number;
  @ApiProperty({ format: 'date-time', example: '2024-11-25T10:00:00.000Z' }) startedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2024-11-25T10:00:00.420Z' })
  finishedAt!: string | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 420 }) durationMs!: number | null;
  // Inline rather than a nullable $ref (allOf), which strict JSON Schema validators take as never null.
  @ApiProperty({
    type: 'object',
    nullable: true,
    properties: {
      bytesRead: {
        type: 'integer',
        example: 52_428_800,
        description: 'Bytes of the file read so far (all of it once the run ended)',
      },
      bytesTotal: {
        type: 'integer',
        nullable: true,
        example: 104_857_600,
        description:
          'The file size: known for async runs (the upload is spooled first); null when the file was streamed',
      },
    },
    required: ['bytesRead', 'bytesTotal'],
    description:
      'On every run of a file, running or finished: bytes read so far and the file size when known. ' +
      'null for a JSON batch (POST /migrate/:table), which has no file.',
  })
  progress!: RunProgressResponseDto | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Why the run failed; null when it did not fail',
  })
  error!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description:
      'What to do next when a completed run read rows and wrote none, e.g. "every batch held a rejected row, ' +
      'so no row was written: rejectMode=row writes the good rows"; else null',
  })
  hint!: string | null;
}

export class StartMigrationRunResponseDto {
  @ApiProperty({ type: [RunResponseDto], description: 'One run per file, in dependency order' })
  runs!: RunResponseDto[];
}

export class RunListResponseDto {
  @ApiProperty({ type: [RunResponseDto] }) items!: RunResponseDto[];
  @ApiProperty({ type: 'integer', example: 12 }) total!: number;
}

export class RejectedRowErrorDto {
  @ApiProperty({
    type: 'integer',
    example: 12,
    description: 'The line of the file where the row starts (JSON: the 1-based position)',
  })
  line!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'job_id',
    description: 'null when the row as a whole is wrong',
  })
  field!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '' }) value!: string | null;
  @ApiProperty({ example: 'job_id is empty' }) reason!: string;
}

/** A row of a rejected batch as it came, for the reject log. */
export class RejectedRawRowDto {
  @ApiProperty({
    type: 'integer',
    example: 12,
    description: 'The line where the row starts (JSON: the 1-based position)',
  })
  line!: number;
  @ApiProperty({
    anyOf: [
      { type: 'array', items: { type: 'string' } },
      { type: 'object', additionalProperties: true },
      // A JSON element that was null comes back as null.
      { type: 'string', nullable: true },
      { type: 'number' },
      { type: 'boolean' },
    ],
    example: ['12', 'Ann', '2021-01-01T00:00:00Z', '2', ''],
    description: "A CSV row's values as text; a JSON batch's element as it was sent (an object, or whatever else came)",
  })
  values!: unknown;
  @ApiPropertyOptional({
    type: 'integer',
    example: 7,
    description: 'How many columns the line had, when more than the values kept (one more than the table has)',
  })
  columns?: number;
}

export class RejectedBatchResponseDto {
  @ApiProperty({ type: 'integer', example: 1 }) batch!: number;
  @ApiProperty({ type: 'integer', example: 1 }) firstLine!: number;
  @ApiProperty({ type: 'integer', example: 1000 }) lastLine!: number;
  @ApiProperty({
    type: [RejectedRawRowDto],
    description: 'The raw rows as they came (values over 1 KB and surplus columns are cut)',
  })
  rows!: RejectedRawRowDto[];
  @ApiProperty({ type: [RejectedRowErrorDto] }) errors!: RejectedRowErrorDto[];
}

export class RunDetailResponseDto extends RunResponseDto {
  @ApiProperty({
    type: [RejectedBatchResponseDto],
    description:
      'One page of the reject log (?rejectedOffset, ?rejectedLimit, counted in rejected rows): the batches ' +
      'that hold those rows, in file order, each cut to the rows of the page and their errors',
  })
  rejected!: RejectedBatchResponseDto[];
  @ApiProperty({
    type: 'integer',
    example: 70,
    description:
      'How many rows the reject log holds in all; more pages follow while rejectedOffset + the rows shown < rejectedTotal',
  })
  rejectedTotal!: number;
}

export class JsonRowErrorDto {
  @ApiProperty({ type: 'integer', example: 2, description: '1-based position in the array' }) row!: number;
  @ApiProperty({ type: String, nullable: true, example: 'department_id' }) field!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '99' }) value!: string | null;
  @ApiProperty({ example: 'department_id 99 does not exist' }) reason!: string;
}

export class JsonBatchRejectedResponseDto extends ErrorResponseDto {
  @ApiProperty({ type: 'integer', example: 422 }) declare statusCode: number;
  @ApiProperty({ example: 'Unprocessable Entity' }) declare error: string;
  @ApiProperty({ example: '1 of 2 rows cannot be loaded; nothing was written' }) declare message: string;
  @ApiProperty({ type: 'integer', example: 7 }) runId!: number;
  @ApiProperty({ type: [JsonRowErrorDto] }) errors!: JsonRowErrorDto[];
}

/** An error of a JSON batch that had begun its run: the run, ended as failed. */
export class JsonBatchErrorResponseDto extends ErrorResponseDto {
  @ApiPropertyOptional({ type: 'integer', example: 7, description: 'The run of the batch, ended as failed' })
  runId?: number;
}

/** A refused upload: when files before the refusal were loaded, their runs. */
export class UploadRefusedResponseDto extends ErrorResponseDto {
  @ApiPropertyOptional({
    type: [RunResponseDto],
    description: 'The runs of the files loaded before the refusal, when there were any',
  })
  runs?: RunResponseDto[];

  @ApiPropertyOptional({
    type: 'integer',
    example: 7,
    description: 'DATABASE_UNAVAILABLE: the run that was loading, ended as failed',
  })
  runId?: number;
}

/** Named examples of the OpenAPI document; typed by the DTOs above, so they cannot drift from them. */
export const RUN_EXAMPLE: RunResponseDto = {
  id: 3,
  table: 'hired_employees',
  file: 'hired_employees.csv',
  status: 'completed',
  error: null,
  batchSize: 1000,
  rejectMode: 'row',
  dryRun: false,
  headerSkipped: false,
  rowsRead: 1999,
  rowsInserted: 1929,
  rowsRejected: 70,
  batchesTotal: 2,
  batchesCommitted: 2,
  batchesRejected: 0,
  startedAt: '2024-11-25T10:00:00.000Z',
  finishedAt: '2024-11-25T10:00:00.420Z',
  durationMs: 420,
  progress: { bytesRead: 78_632, bytesTotal: null },
  hint: null,
};

export const RUN_WITH_REJECTED_BATCH_EXAMPLE: RunDetailResponseDto = {
  ...RUN_EXAMPLE,
  id: 4,
  file: 'jobs.csv',
  table: 'jobs',
  rejectMode: 'batch',
  rowsRead: 3,
  rowsInserted: 0,
  rowsRejected: 3,
  batchesTotal: 1,
  batchesCommitted: 0,
  batchesRejected: 1,
  progress: { bytesRead: 41, bytesTotal: null },
  rejectedTotal: 3,
  rejected: [
    {
      batch: 1,
      firstLine: 1,
      lastLine: 3,
      rows: [
        { line: 1, values: ['1', 'Recruiter'] },
        { line: 2, values: ['two', 'Manager'] },
        { line: 3, values: ['3', ' '] },
      ],
      errors: [
        { line: 2, field: 'id', value: 'two', reason: 'id two is not a positive integer' },
        { line: 3, field: 'job', value: ' ', reason: 'job is empty' },
      ],
    },
  ],
};

export const REJECTED_BATCH_EXAMPLE: JsonBatchRejectedResponseDto = {
  statusCode: 422,
  error: 'Unprocessable Entity',
  message: '1 of 2 rows cannot be loaded; nothing was written',
  code: 'MIGRATION_ROWS_REJECTED',
  requestId: '9a43c55e-1f0b-4c21-8d6f-1c2a9e4b1d0b',
  runId: 7,
  errors: [{ row: 2, field: 'department_id', value: '99', reason: 'department_id 99 does not exist' }],
};
