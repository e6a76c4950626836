import { Global, Module } from '@nestjs/common';
import { AccessLog } from './access-log';
import { Telemetry } from './telemetry.service';

/** Logs and metrics: infrastructure any feature may record through, importing none of them. */
@Global()
@Module({
  providers: [Telemetry, AccessLog],
  exports: [Telemetry, AccessLog],
})
export class ObservabilityModule {}
