import { ApiProperty } from '@nestjs/swagger';
import { ID_PROPERTY, IsNonBlankText, IsPositiveIntegerText } from './row-field.decorators';

/** One row of `departments`, as text the way it comes from a CSV file (JSON may send ids as numbers). */
export class DepartmentRowDto {
  @ApiProperty({ ...ID_PROPERTY, example: 1, description: 'Positive integer, the primary key' })
  @IsPositiveIntegerText()
  id!: string;

  @ApiProperty({ example: 'Supply Chain', maxLength: 255 })
  @IsNonBlankText()
  department!: string;
}
