import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { TABLE_NAMES, type TableName } from '../../database/tables';

export const REJECT_MODES = ['batch', 'row'] as const;
export const HEADER_MODES = ['auto', 'true', 'false'] as const;
/** The delimiter field's values: `tab` names the tab character, which is accepted as itself too. */
export const DELIMITER_VALUES = [',', ';', '|', 'tab', '\t'] as const;

/** The form fields of `POST /migrate`; they must come before the files in the form. */
export class StartMigrationRunDto {
  @ApiProperty({ type: 'array', items: { type: 'string', format: 'binary' }, description: 'One or more CSV files' })
  file?: unknown;

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
    example: ';',
    description:
      'The character between fields: `,`, `;`, `|` or `tab` (a tab character is accepted too). Quoting is the same ' +
      'for each: a field holding the delimiter, a quote or a line end is quoted with ", and a quote inside is doubled',
  })
  @IsOptional()
  @IsIn(DELIMITER_VALUES, { message: 'delimiter must be ",", ";", "|" or "tab" (a tab character is accepted too)' })
  delimiter?: (typeof DELIMITER_VALUES)[number];
}
