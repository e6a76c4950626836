import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';

export class RestoreBackupDto {
  @ApiPropertyOptional({
    description: "The bare name of one of the table's backups; default: the newest",
    example: 'departments-20261125T201500123Z.avro',
    maxLength: 255,
  })
  // Only a missing file means "the newest": null is a mistake, refused like any other non-string.
  @ValidateIf((_dto, value) => value !== undefined)
  @IsString({ message: 'file must be the name of a backup; leave it out to restore the newest' })
  @IsNotEmpty({ message: 'file must not be empty; leave it out to restore the newest backup' })
  @MaxLength(255, { message: 'file must be at most 255 characters' })
  file?: string;
}
