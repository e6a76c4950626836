import { Global, Module } from '@nestjs/common';
import { AccessLog } from './access-log';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { Telemetry } from './telemetry.service';

/** Logs and metrics: infrastructure any feature may record through, importing none of them. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, Telemetry, AccessLog],
  exports: [MetricsService, Telemetry, AccessLog],
})
export class ObservabilityModule {}
