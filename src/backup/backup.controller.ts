import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TABLE_NAMES } from '../database/tables';
import { BackupFileResponseDto, CreateBackupResponseDto, ErrorResponseDto } from './dto/backup-response.dto';
import { BackupService } from './backup.service';

const TABLE_PARAM = { name: 'table', enum: TABLE_NAMES, description: 'The table' };

@ApiTags('backup')
@Controller('backup')
export class BackupController {
  constructor(private readonly backups: BackupService) {}

  @Post(':table')
  @HttpCode(201)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Back a table up',
    description:
      'Writes the whole table, streamed, to an Avro object container file `<table>-<UTC timestamp>.avro` in ' +
      'BACKUP_DIR: schema embedded (datetime as timestamp-millis), deflate codec. The file appears only when complete.',
  })
  @ApiParam(TABLE_PARAM)
  @ApiResponse({ status: 201, type: CreateBackupResponseDto, description: 'The backup was written' })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'Unknown table' })
  @ApiResponse({ status: 401, type: ErrorResponseDto, description: 'No or wrong API key' })
  create(@Param('table') table: string): Promise<CreateBackupResponseDto> {
    return this.backups.create(table);
  }

  @ApiBearerAuth()
  @ApiResponse({ status: 401, description: 'READ_API_KEY is set and no valid key was sent' })
  @Get(':table')
  @ApiOperation({
    summary: "List a table's backups, newest first",
    description: 'Every `<table>-*.avro` file in BACKUP_DIR, including files copied in by an operator.',
  })
  @ApiParam(TABLE_PARAM)
  @ApiResponse({ status: 200, type: [BackupFileResponseDto] })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'Unknown table' })
  list(@Param('table') table: string): Promise<BackupFileResponseDto[]> {
    return this.backups.list(table);
  }
}
