import { ApiProperty } from '@nestjs/swagger';
import { IsNonBlankText, IsPositiveIntegerText } from './row-field.decorators';

/** One row of `departments`, as text the way it comes from a CSV file. */
export class DepartmentRowDto {
  @ApiProperty({ example: 1, description: 'Positive integer, the primary key' })
  @IsPositiveIntegerText()
  id!: string;

  @ApiProperty({ example: 'Supply Chain', maxLength: 255 })
  @IsNonBlankText()
  department!: string;
}
