import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsIn, IsOptional } from 'class-validator';
import { TABLE_NAMES, type TableName } from '../../database/tables';
import {
  BOOLEAN_VALUES,
  DELIMITER_VALUES,
  HEADER_MODES,
  MAX_REJECTED_LIMIT,
  REJECT_MODES,
} from './start-migration-run.dto';

const SAME = 'The form field of the same name, given in the query string instead; a form field wins over it';

/**
 * The query of `POST /migrate`: async, and every option of the form. The upload interceptor reads
 * and checks the options before the body is in; the pipe sees them here only to let them through.
 */
export class StartMigrationQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description:
      'true: answer 202 once the upload is received (spooled to temporary files), with every run status ' +
      'running and Location: /migrate/runs/<first id>; the files load afterwards, in dependency order. ' +
      'Follow them with GET /migrate/runs/:id or GET /migrate/runs/:id/events.',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'async must be true or false' })
  async?: 'true' | 'false';

  @ApiPropertyOptional({ enum: TABLE_NAMES, description: SAME })
  @Allow()
  table?: TableName;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, description: SAME })
  @Allow()
  batchSize?: string;

  @ApiPropertyOptional({ enum: REJECT_MODES, description: SAME })
  @Allow()
  rejectMode?: string;

  @ApiPropertyOptional({ enum: HEADER_MODES, description: SAME })
  @Allow()
  header?: string;

  @ApiPropertyOptional({ enum: DELIMITER_VALUES, description: SAME })
  @Allow()
  delimiter?: string;

  @ApiPropertyOptional({ enum: BOOLEAN_VALUES, description: SAME })
  @Allow()
  dryRun?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_REJECTED_LIMIT, description: SAME })
  @Allow()
  maxRejected?: string;

  @ApiPropertyOptional({ enum: BOOLEAN_VALUES, description: SAME })
  @Allow()
  force?: string;
}
