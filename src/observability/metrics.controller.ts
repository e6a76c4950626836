import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { contentType } from 'prom-client';
import { MetricsService } from './metrics.service';

@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiBearerAuth()
  @Header('Content-Type', contentType)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Metrics in the Prometheus text format',
    description:
      'Migration runs by table and status; rows read, written and rejected by table; durations of runs, ' +
      "backups, restores and HTTP requests (by route and status); database errors and retries; each table's " +
      'newest backup time; and the process (CPU, memory, event loop). Guarded like the reads (READ_API_KEY).',
  })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'The metrics', schema: { type: 'string' } })
  @ApiResponse({ status: 401, description: 'READ_API_KEY is set and no valid key was sent' })
  read(): Promise<string> {
    return this.metrics.text();
  }
}
