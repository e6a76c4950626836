import { Module } from '@nestjs/common';
import { BackupFilesService } from './backup-files.service';
import { BackupController } from './backup.controller';
import { BackupRepository } from './backup.repository';
import { BackupService } from './backup.service';
import { RestoreController } from './restore.controller';
import { RestoreService } from './restore.service';

@Module({
  controllers: [BackupController, RestoreController],
  providers: [BackupService, RestoreService, BackupFilesService, BackupRepository],
})
export class BackupModule {}
