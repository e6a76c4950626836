import { ApiProperty } from '@nestjs/swagger';

/** One department and job with its hires in each quarter of the year. */
export class HiresByQuarterRowResponseDto {
  @ApiProperty({ example: 'Accounting' })
  department!: string;

  @ApiProperty({ example: 'Account Representative IV' })
  job!: string;

  @ApiProperty({ type: 'integer', example: 1, description: 'Hires from January to March' })
  Q1!: number;

  @ApiProperty({ type: 'integer', example: 0, description: 'Hires from April to June' })
  Q2!: number;

  @ApiProperty({ type: 'integer', example: 0, description: 'Hires from July to September' })
  Q3!: number;

  @ApiProperty({ type: 'integer', example: 0, description: 'Hires from October to December' })
  Q4!: number;
}

/** A department that hired more than the mean of the departments that hired in the year. */
export class DepartmentAboveMeanResponseDto {
  @ApiProperty({ type: 'integer', example: 8 })
  id!: number;

  @ApiProperty({ example: 'Support' })
  department!: string;

  @ApiProperty({ type: 'integer', example: 216 })
  hired!: number;
}
