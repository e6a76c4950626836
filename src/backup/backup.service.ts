import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { streams, type Schema } from 'avsc';
import { DomainError } from '../common/errors/domain-error';
import { isTableName, type TableName } from '../database/tables';
import { tableSchema } from './avro-schemas';
import { BackupFilesService, type BackupFileInfo } from './backup-files.service';
import { timestampOfBackup } from './backup-file-name';
import { rowToRecord } from './backup-records';
import { BackupRepository } from './backup.repository';

export interface CreatedBackup {
  table: TableName;
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
  createdAt: string;
}

/** Uncompressed bytes per Avro block: small enough to keep memory flat, large enough to compress well. */
const BLOCK_SIZE = 256 * 1024;

/** Writes a table to an Avro object container file, streaming, and lists a table's backups. */
@Injectable()
export class BackupService {
  constructor(
    private readonly repository: BackupRepository,
    private readonly files: BackupFilesService,
  ) {}

  /**
   * Keyset pages → Avro records → deflate blocks → a hidden temporary file, with back-pressure
   * all the way (pipeline). The file is fsync'd and only then given its name, so a backup in the
   * folder is always complete.
   */
  async create(tableParam: string): Promise<CreatedBackup> {
    const table = assertTable(tableParam);
    await this.files.ensureFolder();
    const temporary = this.files.temporaryPath(table);
    const meter = new FileMeter();
    let rows = 0;
    const repository = this.repository;
    async function* records(): AsyncGenerator<Record<string, unknown>> {
      for await (const page of repository.readPages(table)) {
        for (const row of page) {
          rows += 1;
          yield rowToRecord(table, row);
        }
      }
    }
    const encoder = new streams.BlockEncoder(tableSchema(table).json as Schema, {
      codec: 'deflate',
      blockSize: BLOCK_SIZE,
      writeHeader: 'always',
    });
    try {
      await pipeline(Readable.from(records()), encoder, meter, createWriteStream(temporary, { flags: 'wx' }));
      await fsync(temporary);
      const sha256 = meter.sha256();
      const file = await this.files.publish(table, temporary, { rows, sha256 });
      const createdAt = (timestampOfBackup(table, file) ?? new Date()).toISOString();
      return { table, file, rows, bytes: meter.bytes, sha256, createdAt };
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
    throw new DomainError('BACKUP_UNKNOWN_TABLE', `Unknown table '${value}'; use departments, jobs or hired_employees`);
  }
  return value;
}

/** Counts and hashes the bytes on their way to the file. */
class FileMeter extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null, data?: Buffer) => void,
  ) {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    callback(null, chunk);
  }

  sha256(): string {
    return this.hash.digest('hex');
  }
}

async function fsync(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
