import { ApiProperty } from '@nestjs/swagger';
import { IsNonBlankText, IsPositiveIntegerText } from './row-field.decorators';

/** One row of `jobs`, as text the way it comes from a CSV file. */
export class JobRowDto {
  @ApiProperty({ example: 1, description: 'Positive integer, the primary key' })
  @IsPositiveIntegerText()
  id!: string;

  @ApiProperty({ example: 'Recruiter', maxLength: 255 })
  @IsNonBlankText()
  job!: string;
}
