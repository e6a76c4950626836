import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MigrationRunEntity } from '../database/entities/migration-run.entity';
import { RejectedBatchEntity } from '../database/entities/rejected-batch.entity';
import { AsyncRunsService } from './async-runs.service';
import { CsvLoadService } from './csv-load.service';
import { RejectsCsvService } from './rejects-csv.service';
import { JsonBatchService } from './json-batch.service';
import { BatchPreparer } from './load/batch-preparer';
import { BatchWriter } from './load/batch-writer';
import { RunLoader } from './load/run-loader';
import { MigrationController } from './migration.controller';
import { MigrationService } from './migration.service';
import { HrTablesRepository } from './repositories/hr-tables.repository';
import { MigrationRunsRepository } from './repositories/migration-runs.repository';
import { RunEventsService } from './run-events.service';
import { RunLifecycle } from './run-lifecycle.service';
import { RunStorage } from './upload/run-storage';
import { UploadInterceptor } from './upload/upload.interceptor';
import { UploadSpool } from './upload/upload-spool';

@Module({
  imports: [TypeOrmModule.forFeature([MigrationRunEntity, RejectedBatchEntity])],
  controllers: [MigrationController],
  providers: [
    MigrationService,
    CsvLoadService,
    AsyncRunsService,
    RunEventsService,
    JsonBatchService,
    RejectsCsvService,
    RunLifecycle,
    RunStorage,
    UploadInterceptor,
    UploadSpool,
    RunLoader,
    BatchPreparer,
    BatchWriter,
    HrTablesRepository,
    MigrationRunsRepository,
  ],
})
export class MigrationModule {}
