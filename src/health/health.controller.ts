import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DomainError } from '../common/errors/domain-error';
import { ErrorResponseDto } from '../common/errors/error-response.dto';
import { OpenRead } from '../common/guards/open-read.decorator';

const CHECKS = { type: 'object', additionalProperties: true, example: { database: { status: 'up' } } } as const;

/** Ready: terminus's summary of the checks. */
export class HealthOkResponseDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' }) status!: string;
  @ApiProperty(CHECKS) info!: Record<string, unknown>;
  @ApiProperty({ ...CHECKS, example: {} }) error!: Record<string, unknown>;
  @ApiProperty(CHECKS) details!: Record<string, unknown>;
}

/** Not ready: the error body, with the health check's status and details. */
export class HealthUnavailableResponseDto extends ErrorResponseDto {
  @ApiProperty({ enum: ['error'], example: 'error' }) status!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { database: { status: 'down' } } })
  details!: Record<string, unknown>;
}

@ApiTags('health')
@OpenRead()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
  ) {}

  @Get()
  // Terminus would document its own 503 body, which is not the one this service answers.
  @HealthCheck({ swaggerDocumentation: false })
  @ApiResponse({ status: 200, type: HealthOkResponseDto, description: 'The service and its database answer' })
  @ApiResponse({ status: 503, type: HealthUnavailableResponseDto, description: 'The database is not answering' })
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
