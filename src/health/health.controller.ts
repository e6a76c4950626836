import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DomainError } from '../common/errors/domain-error';
import { OpenRead } from '../common/guards/open-read.decorator';

@ApiTags('health')
@OpenRead()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness and readiness: 200 when the database answers, 503 when it does not' })
  async check() {
    try {
      return await this.health.check([() => this.db.pingCheck('database', { timeout: 3000 })]);
    } catch {
      // Terminus's own 503 says only "Service Unavailable Exception"; the driver's error stays in the log.
      throw new DomainError('DATABASE_UNAVAILABLE', 'Not ready: the database is not answering', {
        status: 'error',
        details: { database: { status: 'down' } },
      });
    }
  }
}
