import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { BackupScheduler } from './backup-scheduler.service';
import { BackupFilesService } from './backup-files.service';
import { BackupController } from './backup.controller';
import { BackupRepository } from './backup.repository';
import { BackupService } from './backup.service';
import { RestoreController } from './restore.controller';
import { RestoreService } from './restore.service';

@Module({
  imports: [ScheduleModule.forRoot()],
  controllers: [BackupController, RestoreController],
  providers: [BackupService, RestoreService, BackupFilesService, BackupRepository, BackupScheduler],
})
export class BackupModule {}
