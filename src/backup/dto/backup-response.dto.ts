export { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { TABLE_NAMES } from '../../database/tables';

export class BackupFileResponseDto {
  @ApiProperty({ example: 'hired_employees-20261125T201500123Z.avro', description: 'The bare file name in BACKUP_DIR' })
  file!: string;

  @ApiProperty({
    example: 1999,
    nullable: true,
    type: 'integer',
    description: 'Records in the file; null if it is unreadable',
  })
  rows!: number | null;

  @ApiProperty({ type: 'integer', example: 41234, description: 'Size of the file in bytes' })
  bytes!: number;

  @ApiProperty({ example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' })
  sha256!: string;

  @ApiProperty({
    format: 'date-time',
    example: '2026-11-25T20:15:00.123Z',
    description: "From the name's timestamp, else the file's mtime",
  })
  createdAt!: string;
}

export class CreateBackupResponseDto {
  @ApiProperty({ enum: TABLE_NAMES, example: 'hired_employees' })
  table!: string;

  @ApiProperty({ example: 'hired_employees-20261125T201500123Z.avro' })
  file!: string;

  @ApiProperty({ type: 'integer', example: 1999 })
  rows!: number;

  @ApiProperty({ type: 'integer', example: 41234 })
  bytes!: number;

  @ApiProperty({ example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' })
  sha256!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-25T20:15:00.123Z' })
  createdAt!: string;
}

export class RestoreBackupResponseDto {
  @ApiProperty({ enum: TABLE_NAMES, example: 'departments' })
  table!: string;

  @ApiProperty({ example: 'departments-20261125T201500123Z.avro' })
  file!: string;

  @ApiProperty({ type: 'integer', example: 12 })
  rowsRestored!: number;
}

/** A restore refused: BACKUP_RESTORE_CONFLICT says how many hired employees it would leave without a reference. */
export class RestoreConflictResponseDto extends ErrorResponseDto {
  @ApiPropertyOptional({
    type: 'integer',
    example: 3,
    description: 'BACKUP_RESTORE_CONFLICT: the hired employees that would point at missing rows',
  })
  orphans?: number;
}

/** A backup that cannot be restored: BACKUP_INVALID_RECORDS counts its invalid records. */
export class RestoreRefusedResponseDto extends ErrorResponseDto {
  @ApiPropertyOptional({
    type: 'integer',
    example: 2,
    description: 'BACKUP_INVALID_RECORDS: how many records break the rules',
  })
  invalidRecords?: number;
}
