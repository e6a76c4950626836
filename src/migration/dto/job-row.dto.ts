import { ApiProperty } from '@nestjs/swagger';
import { ID_PROPERTY, IsNonBlankText, IsPositiveIntegerText } from './row-field.decorators';

/** One row of `jobs`, as text the way it comes from a CSV file (JSON may send ids as numbers). */
export class JobRowDto {
  @ApiProperty({ ...ID_PROPERTY, example: 1, description: 'Positive integer, the primary key' })
  @IsPositiveIntegerText()
  id!: string;

  @ApiProperty({ example: 'Recruiter', maxLength: 255 })
  @IsNonBlankText()
  job!: string;
}
