export { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TABLE_NAMES } from '../../database/tables';

/** How far a file run has read its file. */
export class RunProgressResponseDto {
  @ApiProperty({ example: 52_428_800, description: 'Bytes of the file read so far (all of it once the run ended)' })
  bytesRead!: number;
  @ApiProperty({
    nullable: true,
    example: 104_857_600,
    description: 'The file size: known for async runs (the upload is spooled first); null when the file was streamed',
  })
  bytesTotal!: number | null;
}

/** The summary of a migration run. `rowsRead = rowsInserted + rowsRejected`, `batchesTotal = batchesCommitted + batchesRejected`. */
export class RunResponseDto {
  @ApiProperty({ example: 3 }) id!: number;
  @ApiProperty({ enum: TABLE_NAMES, example: 'hired_employees' }) table!: string;
  @ApiProperty({ nullable: true, example: 'hired_employees.csv', description: 'null for a JSON batch' }) file!:
    string | null;
  @ApiProperty({
    enum: ['running', 'completed', 'failed'],
    example: 'completed',
    description: 'running: loading, or queued behind an earlier file of the same async upload',
  })
  status!: string;
  @ApiProperty({ example: 1000 }) batchSize!: number;
  @ApiProperty({ enum: ['batch', 'row'], example: 'row' }) rejectMode!: string;
  @ApiProperty({ example: false, description: 'The first line was a header and was skipped' }) headerSkipped!: boolean;
  @ApiProperty({ example: 1999, description: 'Rows read (a header and blank lines are not rows)' }) rowsRead!: number;
  @ApiProperty({ example: 1929, description: 'Rows written: inserted, or updated when the id existed' })
  rowsInserted!: number;
  @ApiProperty({ example: 70 }) rowsRejected!: number;
  @ApiProperty({ example: 2 }) batchesTotal!: number;
  @ApiProperty({ example: 2, description: 'Batches that wrote at least one row' }) batchesCommitted!: number;
  @ApiProperty({ example: 0, description: 'Batches that wrote nothing' }) batchesRejected!: number;
  @ApiProperty({ example: '2024-11-25T10:00:00.000Z' }) startedAt!: string;
  @ApiProperty({ nullable: true, example: '2024-11-25T10:00:00.420Z' }) finishedAt!: string | null;
  @ApiProperty({ nullable: true, example: 420 }) durationMs!: number | null;
  @ApiProperty({
    type: RunProgressResponseDto,
    nullable: true,
    description:
      'On every run of a file, running or finished: bytes read so far and the file size when known. ' +
      'null for a JSON batch (POST /migrate/:table), which has no file.',
  })
  progress!: RunProgressResponseDto | null;
  @ApiPropertyOptional({ example: 'The file is empty', description: 'Why the run failed (only when it failed)' })
  error?: string;
}

export class StartMigrationRunResponseDto {
  @ApiProperty({ type: [RunResponseDto], description: 'One run per file, in dependency order' })
  runs!: RunResponseDto[];
}

export class RunListResponseDto {
  @ApiProperty({ type: [RunResponseDto] }) items!: RunResponseDto[];
  @ApiProperty({ example: 12 }) total!: number;
}

export class RejectedRowErrorDto {
  @ApiProperty({ example: 12, description: 'The line of the file where the row starts (JSON: the 1-based position)' })
  line!: number;
  @ApiProperty({ nullable: true, example: 'job_id', description: 'null when the row as a whole is wrong' }) field!:
    string | null;
  @ApiProperty({ nullable: true, example: '' }) value!: string | null;
  @ApiProperty({ example: 'job_id is empty' }) reason!: string;
}

export class RejectedBatchResponseDto {
  @ApiProperty({ example: 1 }) batch!: number;
  @ApiProperty({ example: 1 }) firstLine!: number;
  @ApiProperty({ example: 1000 }) lastLine!: number;
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    example: [{ line: 12, values: ['12', 'Ann', '2021-01-01T00:00:00Z', '2', ''] }],
    description: 'The raw rows as they came (values over 1 KB and surplus columns are cut)',
  })
  rows!: unknown[];
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
  @ApiProperty({ example: 2, description: '1-based position in the array' }) row!: number;
  @ApiProperty({ nullable: true, example: 'department_id' }) field!: string | null;
  @ApiProperty({ nullable: true, example: '99' }) value!: string | null;
  @ApiProperty({ example: 'department_id 99 does not exist' }) reason!: string;
}

export class JsonBatchRejectedResponseDto {
  @ApiProperty({ example: 422 }) statusCode!: number;
  @ApiProperty({ example: 'Unprocessable Entity' }) error!: string;
  @ApiProperty({ example: '1 of 2 rows cannot be loaded; nothing was written' }) message!: string;
  @ApiProperty({ example: 7 }) runId!: number;
  @ApiProperty({ type: [JsonRowErrorDto] }) errors!: JsonRowErrorDto[];
}
