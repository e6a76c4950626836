import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BackupModule } from './backup/backup.module';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { ApiKeyCheck, ApiKeyGuard } from './common/guards/api-key.guard';
import { WriteGate } from './common/guards/write-gate';
import { WriteThrottlerGuard } from './common/guards/write-throttler.guard';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CoordinationModule } from './coordination/coordination.module';
import { DataChangeModule } from './database/data-change.service';
import { DatabaseModule } from './database/database.module';
import { buildDataSourceOptions } from './database/data-source';
import { ReadDatabaseModule } from './database/read-database';
import { DashboardModule } from './dashboard/dashboard.module';
import { HealthModule } from './health/health.module';
import { MigrationModule } from './migration/migration.module';
import { ObservabilityModule } from './observability/observability.module';
import { ShutdownLog } from './observability/shutdown-log';
import { ReportsModule } from './reports/reports.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        TypeOrmModule.forRoot(buildDataSourceOptions(config.database)),
        DatabaseModule,
        ReadDatabaseModule,
        DataChangeModule,
        CoordinationModule,
        // Per process (in memory): with several replicas, each one counts its own clients.
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: 60_000, limit: config.rateLimitPerMinute }],
          skipIf: () => config.rateLimitPerMinute === 0,
        }),
        HealthModule,
        MigrationModule,
        BackupModule,
        ReportsModule,
        DashboardModule,
      ],
      providers: [
        ApiKeyCheck,
        WriteThrottlerGuard,
        WriteGate,
        // The throttler first: a failed key check counts against the limit before it answers 401.
        { provide: APP_GUARD, useExisting: WriteThrottlerGuard },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        // Here, in the root module, so that its hook runs last.
        ShutdownLog,
      ],
    };
  }
}
