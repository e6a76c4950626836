import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { DomainError } from '../common/errors/domain-error';
import { TABLE_NAMES } from '../database/tables';
import { DepartmentRowDto } from './dto/department-row.dto';
import { HiredEmployeeRowDto } from './dto/hired-employee-row.dto';
import { JobRowDto } from './dto/job-row.dto';
import { ListRunsQueryDto } from './dto/list-runs-query.dto';
import {
  ErrorResponseDto,
  JsonBatchRejectedResponseDto,
  RunDetailResponseDto,
  RunListResponseDto,
  RunResponseDto,
  StartMigrationRunResponseDto,
} from './dto/run-response.dto';
import { StartMigrationRunDto } from './dto/start-migration-run.dto';
import { MigrationService } from './migration.service';

const runIdPipe = new ParseIntPipe({
  exceptionFactory: () => new DomainError('REQUEST_INVALID', 'The run id must be a positive integer'),
});

@ApiTags('migration runs')
@ApiExtraModels(DepartmentRowDto, JobRowDto, HiredEmployeeRowDto)
@Controller('migrate')
export class MigrationController {
  constructor(private readonly migration: MigrationService) {}

  @Post()
  @HttpCode(201)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Load CSV files, streamed, in dependency order (departments, jobs, hired_employees)',
    description:
      'Form fields must come before the files. The table comes from the table field or from each file name ' +
      '(departments*.csv, jobs*.csv, hired_employees*.csv). A file sent before a file it depends on is spooled to a ' +
      'temporary file and loaded after it. Example: curl -H "Authorization: Bearer $API_KEY" -F rejectMode=row ' +
      '-F file=@departments.csv -F file=@jobs.csv -F file=@hired_employees.csv http://localhost:3000/migrate. ' +
      'Limits: at most 10 files per request (400 when an eleventh begins; files already loaded are listed in ' +
      'runs); a field longer than 65,536 characters, a line longer than 1,048,576 characters, bytes that are not ' +
      'UTF-8 or control characters make the row rejected with its reason.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: StartMigrationRunDto })
  @ApiResponse({ status: 201, type: StartMigrationRunResponseDto, description: 'One run per file' })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'No file, unknown table or a bad option' })
  @ApiResponse({ status: 401, type: ErrorResponseDto, description: 'No or a wrong API key' })
  @ApiResponse({ status: 413, type: ErrorResponseDto, description: 'Larger than MAX_UPLOAD_MB' })
  @ApiResponse({
    status: 409,
    type: ErrorResponseDto,
    description: 'TABLE_BUSY: a restore of the table is in progress',
  })
  @ApiResponse({
    status: 503,
    type: ErrorResponseDto,
    description: 'DATABASE_UNAVAILABLE: the database stopped answering',
  })
  startFromUpload(@Req() request: Request): Promise<StartMigrationRunResponseDto> {
    return this.migration.loadUpload({ headers: request.headers, body: request });
  }

  @Post(':table')
  @HttpCode(201)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Load one batch of 1..1000 rows given as JSON, all or nothing, in one transaction' })
  @ApiParam({ name: 'table', enum: TABLE_NAMES })
  @ApiBody({
    schema: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        oneOf: [
          { $ref: getSchemaPath(DepartmentRowDto) },
          { $ref: getSchemaPath(JobRowDto) },
          { $ref: getSchemaPath(HiredEmployeeRowDto) },
        ],
      },
      example: [{ id: 1, name: 'Harold Vogt', datetime: '2021-11-07T02:48:42Z', department_id: 2, job_id: 96 }],
    },
  })
  @ApiResponse({ status: 201, type: RunResponseDto })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description:
      'Unknown table; not an array of 1..1000 rows; malformed JSON, nested over 32 levels or over 100,000 values',
  })
  @ApiResponse({
    status: 409,
    type: ErrorResponseDto,
    description: 'TABLE_BUSY: a restore of the table is in progress',
  })
  @ApiResponse({
    status: 503,
    type: ErrorResponseDto,
    description: 'DATABASE_UNAVAILABLE: the database stopped answering',
  })
  @ApiResponse({
    status: 422,
    type: JsonBatchRejectedResponseDto,
    description: 'Some rows break the rules; nothing written',
  })
  startFromJson(@Param('table') table: string, @Body() rows: unknown): Promise<RunResponseDto> {
    return this.migration.loadJsonBatch(table, rows);
  }

  @ApiBearerAuth()
  @ApiResponse({ status: 401, description: 'READ_API_KEY is set and no valid key was sent' })
  @Get('runs')
  @ApiOperation({ summary: 'The migration runs, newest first' })
  @ApiResponse({ status: 200, type: RunListResponseDto })
  listRuns(@Query() query: ListRunsQueryDto): Promise<RunListResponseDto> {
    return this.migration.listRuns(query.limit, query.offset);
  }

  @ApiBearerAuth()
  @ApiResponse({ status: 401, description: 'READ_API_KEY is set and no valid key was sent' })
  @Get('runs/:id')
  @ApiOperation({ summary: 'One migration run with its rejected batches (the reject log)' })
  @ApiResponse({ status: 200, type: RunDetailResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such run' })
  getRun(@Param('id', runIdPipe) id: number): Promise<RunDetailResponseDto> {
    return this.migration.getRun(id);
  }
}
