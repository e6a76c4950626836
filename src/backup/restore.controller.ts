import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TABLE_NAMES } from '../database/tables';
import {
  ErrorResponseDto,
  RestoreBackupResponseDto,
  RestoreConflictResponseDto,
  RestoreRefusedResponseDto,
} from './dto/backup-response.dto';
import { RestoreBackupDto } from './dto/restore-backup.dto';
import { RestoreService } from './restore.service';

@ApiTags('backup')
@Controller('restore')
export class RestoreController {
  constructor(private readonly restores: RestoreService) {}

  @Post(':table')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary: "Replace a table's rows with a backup's, atomically",
    description:
      'The file is read and checked completely first (container, schema, every record); then one transaction ' +
      'deletes the rows and inserts the backup. On any failure the table is left exactly as it was. A restore ' +
      'and a migration run never write one table at the same time: whichever comes second is refused with 409 ' +
      'TABLE_BUSY (on SQLite a restore excludes runs of every table), across replicas too on MySQL.',
  })
  @ApiParam({ name: 'table', enum: TABLE_NAMES, description: 'The table' })
  @ApiBody({ type: RestoreBackupDto, required: false })
  @ApiResponse({ status: 200, type: RestoreBackupResponseDto, description: 'The table now holds the backup' })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: "Unknown table, or not one of the table's backups" })
  @ApiResponse({ status: 401, type: ErrorResponseDto, description: 'No or wrong API key' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such backup, or the table has none' })
  @ApiResponse({
    status: 409,
    type: RestoreConflictResponseDto,
    description:
      'The restore would leave hired employees pointing at missing departments or jobs; or TABLE_BUSY: a ' +
      'migration run is writing the table, or another restore of it is in progress (nothing was changed)',
  })
  @ApiResponse({
    status: 422,
    type: RestoreRefusedResponseDto,
    description: 'The file is damaged, its schema does not fit the table, or it holds invalid records',
  })
  restore(@Param('table') table: string, @Body() body: RestoreBackupDto): Promise<RestoreBackupResponseDto> {
    return this.restores.restore(table, body.file);
  }
}
