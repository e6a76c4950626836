import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

/** The query of `GET /migrate/runs/:id/rejects.csv`. */
export class RejectsCsvQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    example: 'true',
    description:
      'true: add the columns line, field and reason at the end of each row (several errors of a row joined ' +
      'with "; "), for people rather than for loading again',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'reasons must be true or false' })
  reasons?: 'true' | 'false';
}
