import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ErrorResponseDto } from '../common/errors/error-response.dto';
import { GetReportQueryDto } from './dto/get-report-query.dto';
import { DepartmentAboveMeanResponseDto, HiresByQuarterRowResponseDto } from './dto/report-response.dto';
import { CSV_MEDIA_TYPE, negotiateReport } from './report-response';
import { ReportsService } from './reports.service';

const HIRES_BY_QUARTER_CSV = 'department,job,Q1,Q2,Q3,Q4\r\nAccounting,Account Representative IV,1,0,0,0\r\n';
const CSV_FORMULAS =
  "In CSV a text cell that begins with = + - @, a tab or a carriage return is prefixed with ', so that a " +
  'spreadsheet never runs it as a formula.';
const ABOVE_MEAN_CSV = 'id,department,hired\r\n8,Support,216\r\n';
const BAD_REPORT_QUERY = 'year is not a four-digit year, or format is not json or csv';

function reportContent(model: new () => object, csvExample: string) {
  return {
    'application/json': { schema: { type: 'array', items: { $ref: getSchemaPath(model) } } },
    [CSV_MEDIA_TYPE]: { schema: { type: 'string' }, example: csvExample },
  };
}

@ApiTags('reports')
@ApiExtraModels(HiresByQuarterRowResponseDto, DepartmentAboveMeanResponseDto)
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @ApiBearerAuth()
  @ApiResponse({ status: 401, description: 'READ_API_KEY is set and no valid key was sent' })
  @Get('years')
  @ApiOperation({
    summary: 'The years (UTC) in which anyone was hired, ascending',
    description: 'The years worth asking the reports about, e.g. for a year picker. Empty when nobody is loaded.',
  })
  @ApiProduces('application/json')
  @ApiOkResponse({ schema: { type: 'array', items: { type: 'integer' }, example: [2021, 2022] } })
  years(): Promise<number[]> {
    return this.reports.yearsWithHires();
  }

  @ApiBearerAuth()
  @ApiResponse({ status: 401, description: 'READ_API_KEY is set and no valid key was sent' })
  @ApiProduces('application/json', CSV_MEDIA_TYPE)
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: BAD_REPORT_QUERY })
  @Get('hires-by-quarter')
  @ApiOperation({
    summary: 'Hires per department and job in a year (UTC), split by quarter',
    description:
      'Only pairs with at least one hire; ordered by department, then job, case-insensitively. ' +
      'CSV with ?format=csv or Accept: text/csv. ' +
      CSV_FORMULAS,
  })
  @ApiOkResponse({ content: reportContent(HiresByQuarterRowResponseDto, HIRES_BY_QUARTER_CSV) })
  async hiresByQuarter(
    @Query() query: GetReportQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<HiresByQuarterRowResponseDto[] | string> {
    const rows = await this.reports.hiresByQuarter(query.yearNumber);
    return negotiateReport(request, response, query.format, rows, {
      headers: ['department', 'job', 'Q1', 'Q2', 'Q3', 'Q4'],
      fileName: `hires-by-quarter-${query.yearNumber}.csv`,
    });
  }

  @ApiBearerAuth()
  @ApiResponse({ status: 401, description: 'READ_API_KEY is set and no valid key was sent' })
  @ApiProduces('application/json', CSV_MEDIA_TYPE)
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: BAD_REPORT_QUERY })
  @Get('departments-above-mean')
  @ApiOperation({
    summary: 'Departments that hired more than the mean of the departments that hired in a year (UTC)',
    description:
      'Departments with no hire in the year take no part in the mean. Ordered by hired, descending, ' +
      'then department. CSV with ?format=csv or Accept: text/csv. ' +
      CSV_FORMULAS,
  })
  @ApiOkResponse({ content: reportContent(DepartmentAboveMeanResponseDto, ABOVE_MEAN_CSV) })
  async departmentsAboveMean(
    @Query() query: GetReportQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<DepartmentAboveMeanResponseDto[] | string> {
    const rows = await this.reports.departmentsAboveMean(query.yearNumber);
    return negotiateReport(request, response, query.format, rows, {
      headers: ['id', 'department', 'hired'],
      fileName: `departments-above-mean-${query.yearNumber}.csv`,
    });
  }
}
