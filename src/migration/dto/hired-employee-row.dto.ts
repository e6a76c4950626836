import { ApiProperty } from '@nestjs/swagger';
import { ID_PROPERTY, IsIsoInstantText, IsNonBlankText, IsPositiveIntegerText } from './row-field.decorators';

/** One row of `hired_employees`, as text the way it comes from a CSV file (JSON may send ids as numbers). */
export class HiredEmployeeRowDto {
  @ApiProperty({ ...ID_PROPERTY, example: 1, description: 'Positive integer, the primary key' })
  @IsPositiveIntegerText()
  id!: string;

  @ApiProperty({ example: 'Harold Vogt', maxLength: 255 })
  @IsNonBlankText()
  name!: string;

  @ApiProperty({ example: '2021-11-07T02:48:42Z', description: 'ISO 8601 with Z or an offset; stored in UTC' })
  @IsIsoInstantText()
  datetime!: string;

  @ApiProperty({
    ...ID_PROPERTY,
    example: 2,
    description: 'An existing department id (in the database or earlier in the upload)',
  })
  @IsPositiveIntegerText()
  department_id!: string;

  @ApiProperty({
    ...ID_PROPERTY,
    example: 96,
    description: 'An existing job id (in the database or earlier in the upload)',
  })
  @IsPositiveIntegerText()
  job_id!: string;
}
