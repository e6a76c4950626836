import { Controller, Delete, Get, HttpCode, Param, Post, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { TABLE_NAMES } from '../database/tables';
import { BackupFileResponseDto, CreateBackupResponseDto, ErrorResponseDto } from './dto/backup-response.dto';
import { BackupService } from './backup.service';

const TABLE_PARAM = { name: 'table', enum: TABLE_NAMES, description: 'The table' };
const FILE_PARAM = {
  name: 'file',
  description: "The name of one of the table's backups, as GET /backup/:table lists it",
};

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

  @Get(':table/:file')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Download one backup',
    description: "The file's bytes as they are in BACKUP_DIR, with its sha256 (hex) as the ETag.",
  })
  @ApiParam(TABLE_PARAM)
  @ApiParam(FILE_PARAM)
  @ApiProduces('application/octet-stream')
  @ApiResponse({ status: 200, description: 'The Avro file', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'Unknown table' })
  @ApiResponse({ status: 401, type: ErrorResponseDto, description: 'READ_API_KEY is set and no valid key was sent' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: "Not one of the table's backups" })
  async download(
    @Param('table') table: string,
    @Param('file') file: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamableFile> {
    const backup = await this.backups.download(table, file);
    response.setHeader('ETag', `"${backup.sha256}"`);
    return new StreamableFile(backup.stream, {
      type: 'application/octet-stream',
      length: backup.bytes,
      disposition: attachment(backup.file),
    });
  }

  @Delete(':table/:file')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Delete one backup' })
  @ApiParam(TABLE_PARAM)
  @ApiParam(FILE_PARAM)
  @ApiResponse({ status: 204, description: 'The backup was deleted' })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'Unknown table' })
  @ApiResponse({ status: 401, type: ErrorResponseDto, description: 'No or wrong API key' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: "Not one of the table's backups" })
  remove(@Param('table') table: string, @Param('file') file: string): Promise<void> {
    return this.backups.remove(table, file);
  }
}

/** A name an operator copied in may hold any character: an ASCII fallback, and the exact name per RFC 6266. */
function attachment(file: string): string {
  const fallback = file.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const exact = encodeURIComponent(file).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}
