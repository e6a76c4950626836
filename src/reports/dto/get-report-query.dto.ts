import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { DEFAULT_REPORT_YEAR } from '../report-year';

export const REPORT_FORMATS = ['json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The query of both reports: `?year=2021&format=csv`. */
export class GetReportQueryDto {
  @ApiPropertyOptional({
    description: 'The year of hire, in UTC; four digits',
    example: '2021',
    default: String(DEFAULT_REPORT_YEAR),
    pattern: '^\\d{4}$',
  })
  @IsOptional()
  @Matches(/^\d{4}$/, { message: 'year must be a four-digit year such as 2021' })
  year?: string;

  @ApiPropertyOptional({
    description: 'csv answers text/csv (as does the header Accept: text/csv); json is the default',
    enum: REPORT_FORMATS,
  })
  @IsOptional()
  @IsIn(REPORT_FORMATS, { message: 'format must be json or csv' })
  format?: ReportFormat;

  get yearNumber(): number {
    return this.year === undefined ? DEFAULT_REPORT_YEAR : Number(this.year);
  }
}
