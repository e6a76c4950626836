import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { TABLE_NAMES, isTableName, type TableName } from '../database/tables';
import { Telemetry } from '../observability/telemetry.service';
import { sealContainer, sealMetadata } from './avro-container-seal';
import { AvroFileWriter } from './avro-file-writer';
import { tableSchema } from './avro-schemas';
import { BackupFilesService, type BackupFileInfo } from './backup-files.service';
import { timestampOfBackup } from './backup-file-name';
import { rowToRecord } from './backup-records';
import { BackupRepository } from './backup.repository';
import { echo } from '../common/text/echo';

export interface CreatedBackup {
  table: TableName;
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
  createdAt: string;
}

/** One backup's bytes, to be sent as they are read. */
export interface BackupDownload {
  file: string;
  bytes: number;
  sha256: string;
  stream: Readable;
}

/** Uncompressed bytes per Avro block: small enough to keep memory flat, large enough to compress well. */
const BLOCK_SIZE = 256 * 1024;

/** Writes a table to an Avro object container file, streaming, and lists a table's backups. */
@Injectable()
export class BackupService implements OnModuleInit {
  private readonly logger = new Logger('Backup');

  constructor(
    private readonly config: AppConfig,
    private readonly repository: BackupRepository,
    private readonly files: BackupFilesService,
    private readonly telemetry: Telemetry,
  ) {}

  /**
   * Keyset pages → Avro records → deflate blocks → a hidden temporary file, with back-pressure
   * all the way (pipeline). The file is read back, sealed with its data checksum, fsync'd, and
   * only then given its name, so a backup in the folder is always complete.
   */
  onModuleInit(): void {
    this.telemetry.watchBackups(async () => {
      const newest: Record<string, Date | null> = {};
      for (const table of TABLE_NAMES) {
        const latest = (await this.files.list(table)).find((backup) => backup.rows !== null);
        newest[table] = latest ? new Date(latest.createdAt) : null;
      }
      return newest;
    });
  }

  create(tableParam: string, trigger: 'request' | 'schedule' = 'request'): Promise<CreatedBackup> {
    const table = assertTable(tableParam);
    return this.telemetry.backup(table, trigger, async () => {
      const created = await this.write(table);
      await this.prune(table, created.file);
      return created;
    });
  }

  async download(tableParam: string, file: string): Promise<BackupDownload> {
    const backup = await this.files.find(assertTable(tableParam), file);
    return { file: backup.file, bytes: backup.bytes, sha256: backup.sha256, stream: createReadStream(backup.path) };
  }

  async remove(tableParam: string, file: string): Promise<void> {
    const table = assertTable(tableParam);
    await this.files.remove(table, file);
    this.logger.log(`Backup ${file} of ${table} deleted`, { table, file });
  }

  /** BACKUP_KEEP: after each backup only the newest n of the table stay; a failure here fails no backup. */
  private async prune(table: TableName, written: string): Promise<void> {
    const keep = this.config.backupPolicy.keep;
    if (keep === null) return;
    try {
      const pruned = await this.files.prune(table, keep, written);
      if (pruned.length > 0) {
        this.logger.log(`Pruned ${pruned.length} old backups of ${table}: ${pruned.join(', ')}`, { table });
      }
    } catch (error) {
      this.logger.warn(`Could not prune the old backups of ${table}: ${String(error)}`, { table });
    }
  }

  private async write(table: TableName): Promise<CreatedBackup> {
    await this.files.ensureFolder();
    const temporary = this.files.temporaryPath(table);
    let rows = 0;
    const { json, type } = tableSchema(table);
    try {
      const out = await AvroFileWriter.create(temporary, type, json, {
        blockSize: BLOCK_SIZE,
        metadata: sealMetadata(),
      });
      try {
        // Records encoded a page at a time, waiting only while blocks are being compressed and written.
        for await (const page of this.repository.readPages(table)) {
          for (const row of page) {
            rows += 1;
            if (out.append(rowToRecord(table, row))) await out.ready();
          }
        }
      } catch (error) {
        await out.abort();
        throw error;
      }
      await out.close();
      const { bytes, sha256 } = await sealContainer(temporary);
      const file = await this.files.publish(table, temporary, { rows, sha256 });
      const createdAt = (timestampOfBackup(table, file) ?? new Date()).toISOString();
      return { table, file, rows, bytes, sha256, createdAt };
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  list(tableParam: string): Promise<BackupFileInfo[]> {
    return this.files.list(assertTable(tableParam));
  }
}

export function assertTable(value: string): TableName {
  if (!isTableName(value)) {
    throw new DomainError(
      'BACKUP_UNKNOWN_TABLE',
      `Unknown table ${echo(value)}; use departments, jobs or hired_employees`,
    );
  }
  return value;
}
