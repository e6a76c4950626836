import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

/** The query of `POST /migrate`. */
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
}
