import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { TABLE_NAMES, type TableName } from '../../database/tables';

export const REJECT_MODES = ['batch', 'row'] as const;
export const HEADER_MODES = ['auto', 'true', 'false'] as const;
/** The delimiter field's values: `tab` names the tab character, which is accepted as itself too. */
export const DELIMITER_VALUES = [',', ';', '|', 'tab', '\t'] as const;
export const BOOLEAN_VALUES = ['true', 'false'] as const;
/** The largest maxRejected: a run's counters are 32-bit integers. */
export const MAX_REJECTED_LIMIT = 2_147_483_647;

/**
 * The form fields of `POST /migrate`, in any order (each may be a query parameter instead). Listed
 * before the files, so that forms built from this schema send the fields first: the fast path.
 */
export class StartMigrationRunDto {
  @ApiPropertyOptional({
    enum: TABLE_NAMES,
    description: 'The table, when one file is sent; otherwise taken from each file name',
  })
  @IsOptional()
  @IsIn(TABLE_NAMES, { message: `table must be one of ${TABLE_NAMES.join(', ')}` })
  table?: TableName;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    default: 1000,
    description: 'Rows per batch (one transaction each)',
  })
  @IsOptional()
  @IsInt({ message: 'batchSize must be an integer from 1 to 1000' })
  @Min(1, { message: 'batchSize must be an integer from 1 to 1000' })
  @Max(1000, { message: 'batchSize must be an integer from 1 to 1000' })
  batchSize?: number;

  @ApiPropertyOptional({
    enum: REJECT_MODES,
    default: 'batch',
    description: 'batch: a bad row rejects its batch; row: only the bad rows',
  })
  @IsOptional()
  @IsIn(REJECT_MODES, { message: 'rejectMode must be batch or row' })
  rejectMode?: (typeof REJECT_MODES)[number];

  @ApiPropertyOptional({
    enum: HEADER_MODES,
    default: 'auto',
    example: 'auto',
    description:
      "Whether the first line is a header: the table's column names, in any order and any case (rows are then read " +
      'by those names, and the header is not counted in rowsRead). auto: such a line is a header, any other line is ' +
      'data; true: the first line must be such a header, else the run fails with a reason that names the columns; ' +
      'false: the first line is data',
  })
  @IsOptional()
  @IsIn(HEADER_MODES, { message: 'header must be auto, true or false' })
  header?: (typeof HEADER_MODES)[number];

  @ApiPropertyOptional({
    enum: DELIMITER_VALUES,
    default: ',',
    description:
      'The character between fields: `,`, `;`, `|` or `tab` (a tab character is accepted too). Quoting is the same ' +
      'for each: a field holding the delimiter, a quote or a line end is quoted with ", and a quote inside is doubled',
  })
  @IsOptional()
  @IsIn(DELIMITER_VALUES, { message: 'delimiter must be ",", ";", "|" or "tab" (a tab character is accepted too)' })
  delimiter?: (typeof DELIMITER_VALUES)[number];

  @ApiPropertyOptional({
    enum: BOOLEAN_VALUES,
    default: 'false',
    description:
      'true: apply every rule (references are looked up in the database and in the earlier files of the upload), ' +
      'record the run (marked dryRun) with its counts and reject log, and change no row of departments, jobs or ' +
      'hired_employees. Example: -F dryRun=true',
  })
  @IsOptional()
  @IsIn(BOOLEAN_VALUES, { message: 'dryRun must be true or false' })
  dryRun?: (typeof BOOLEAN_VALUES)[number];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_REJECTED_LIMIT,
    description:
      "Stop a file's run at the batch that would bring its rejected rows past this number: the run fails with " +
      'the reason, the batches before it stay committed (send the file again to complete it). Default: no limit. ' +
      'Example: -F maxRejected=10',
  })
  @IsOptional()
  @IsInt({ message: `maxRejected must be an integer from 0 to ${MAX_REJECTED_LIMIT}` })
  @Min(0, { message: `maxRejected must be an integer from 0 to ${MAX_REJECTED_LIMIT}` })
  @Max(MAX_REJECTED_LIMIT, { message: `maxRejected must be an integer from 0 to ${MAX_REJECTED_LIMIT}` })
  maxRejected?: number;

  @ApiPropertyOptional({
    enum: BOOLEAN_VALUES,
    default: 'false',
    description:
      'true: load a file into the table field even when its name names another table (jobs.csv with ' +
      'table=departments); without it such a file is refused with 400',
  })
  @IsOptional()
  @IsIn(BOOLEAN_VALUES, { message: 'force must be true or false' })
  force?: (typeof BOOLEAN_VALUES)[number];

  @ApiProperty({ type: 'array', items: { type: 'string', format: 'binary' }, description: 'One or more CSV files' })
  file?: unknown;
}
