import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, lstat, mkdir, open, readdir, realpath, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { AppConfig } from '../config/app-config';
import { DomainError } from '../common/errors/domain-error';
import type { TableName } from '../database/tables';
import { AvroContainerReader } from './avro-container-reader';
import { assertBackupName, backupFileName, isBackupOf, timestampOfBackup } from './backup-file-name';
import { echo } from '../common/text/echo';

/** What GET /backup/:table says of one file. `rows` is null when the file cannot be read. */
export interface BackupFileInfo {
  file: string;
  rows: number | null;
  bytes: number;
  sha256: string;
  createdAt: string;
}

interface CachedSummary {
  size: number;
  mtimeMs: number;
  rows: number | null;
  sha256: string;
}

/**
 * The backup folder: names, listing, and moving finished files into place. The folder is the
 * source of truth (an operator may copy a file in); summaries are cached by name, size and mtime.
 */
@Injectable()
export class BackupFilesService {
  private readonly dir: string;
  private readonly summaries = new Map<string, CachedSummary>();
  private lastStamp = 0;

  constructor(config: AppConfig) {
    this.dir = resolve(config.backupDir);
  }

  async ensureFolder(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** A hidden temporary path in the folder; it never looks like a backup. */
  temporaryPath(table: TableName): string {
    return join(this.dir, `.${table}-${randomBytes(8).toString('hex')}.avro.tmp`);
  }

  /**
   * Gives a complete, fsync'd temporary file its final name without ever replacing a file: a hard
   * link fails if the name exists, and then the next millisecond is tried. Returns the name.
   */
  async publish(table: TableName, temporary: string, summary: { rows: number; sha256: string }): Promise<string> {
    for (;;) {
      const stamp = Math.max(Date.now(), this.lastStamp + 1);
      this.lastStamp = stamp;
      const name = backupFileName(table, new Date(stamp));
      try {
        await link(temporary, join(this.dir, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      await unlink(temporary);
      await this.syncFolder();
      const info = await stat(join(this.dir, name));
      this.summaries.set(name, { size: info.size, mtimeMs: info.mtimeMs, ...summary });
      return name;
    }
  }

  /** That table's backups, newest first (by the time in the name, or the file's mtime). */
  async list(table: TableName): Promise<BackupFileInfo[]> {
    return (await this.backups(table)).map((backup) => backup.info);
  }

  private async backups(table: TableName): Promise<{ info: BackupFileInfo; path: string }[]> {
    const entries = await readdir(this.dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const found: { info: BackupFileInfo; path: string }[] = [];
    for (const entry of entries) {
      if (!isBackupOf(table, entry.name) || !(entry.isFile() || entry.isSymbolicLink())) continue;
      const path = await this.insidePath(entry.name);
      // A file that vanished or cannot be read between the listing and now is not listed.
      const info = path && (await this.describe(table, entry.name, path).catch(() => undefined));
      if (path && info) found.push({ info, path });
    }
    return found.sort(
      (a, b) => b.info.createdAt.localeCompare(a.info.createdAt) || b.info.file.localeCompare(a.info.file),
    );
  }

  /**
   * The path to read a backup named `name` from, or undefined when it is not a backup: a regular
   * file in the folder is; a symbolic link is only when it resolves to a regular file inside the
   * folder (an operator's alias such as `jobs-latest.avro`), and then its resolved path is read, so
   * a link changed afterwards cannot lead out. A link out of the folder would let anyone with the
   * read key list the size and sha256 of any file the service can read, and restore from it.
   */
  private async insidePath(name: string): Promise<string | undefined> {
    const path = join(this.dir, name);
    // Whatever cannot be looked at (gone, no permission, a dangling link) is not a backup.
    const entry = await lstat(path).catch(() => undefined);
    if (entry?.isFile()) return path;
    if (!entry?.isSymbolicLink()) return undefined;
    const [target, root] = await Promise.all([realpath(path).catch(() => ''), realpath(this.dir).catch(() => '')]);
    if (!target || !root || !target.startsWith(root + sep)) return undefined;
    return (await stat(target).catch(() => undefined))?.isFile() ? target : undefined;
  }

  /** The path of one of the table's backups: the named one, or else the newest. */
  async locate(table: TableName, name: string | undefined): Promise<{ file: string; path: string }> {
    if (name === undefined) {
      const [newest] = await this.backups(table);
      if (!newest) {
        throw new DomainError(
          'BACKUP_FILE_NOT_FOUND',
          `There is no backup of ${table}; POST /backup/${table} makes one`,
        );
      }
      return { file: newest.info.file, path: newest.path };
    }
    assertBackupName(table, name);
    const path = await this.insidePath(name);
    if (!path) {
      throw new DomainError(
        'BACKUP_FILE_NOT_FOUND',
        `There is no backup named ${echo(name)}; GET /backup/${table} lists them`,
      );
    }
    return { file: name, path };
  }

  /**
   * Opens one of the table's backups (the named one, or else the newest) for a restore. The restore
   * reads this open file to its end, so deleting or pruning the name meanwhile cannot cut it short.
   */
  async open(table: TableName, name: string | undefined): Promise<{ file: string; handle: FileHandle }> {
    const { file, path } = await this.locate(table, name);
    try {
      return { file, handle: await open(path, 'r') };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new DomainError('BACKUP_FILE_NOT_FOUND', `The backup ${file} was deleted; GET /backup/${table} lists them`);
    }
  }

  /** One of the table's backups by name, with the path to read it from; 404 for any other name. */
  async find(table: TableName, name: string): Promise<BackupFileInfo & { path: string }> {
    const path = isBackupOf(table, name) ? await this.insidePath(name) : undefined;
    if (!path) {
      throw new DomainError(
        'BACKUP_FILE_NOT_FOUND',
        `There is no backup of ${table} by that name; GET /backup/${table} lists them`,
      );
    }
    return { ...(await this.describe(table, name, path)), path };
  }

  /** Deletes the name in the folder: an operator's link goes, never the file it leads to. */
  async remove(table: TableName, name: string): Promise<void> {
    await this.find(table, name);
    await unlink(join(this.dir, name)).catch(ignoreMissing);
    this.summaries.delete(name);
  }

  /**
   * Deletes all but the newest `keep` backups of the table, counting `written` (the backup just made)
   * as one of them whatever its place: a file named or dated later than now (a replica's clock ahead,
   * a copy from elsewhere) never pushes it out. Returns the names deleted.
   */
  async prune(table: TableName, keep: number, written: string): Promise<string[]> {
    const others = (await this.list(table)).map((backup) => backup.file).filter((name) => name !== written);
    const old = others.slice(Math.max(keep - 1, 0));
    for (const name of old) {
      // Another replica sharing the folder may have pruned it first.
      await unlink(join(this.dir, name)).catch(ignoreMissing);
      this.summaries.delete(name);
    }
    return old;
  }

  private async describe(table: TableName, name: string, path: string): Promise<BackupFileInfo> {
    const info = await stat(path);
    let summary = this.summaries.get(name);
    if (!summary || summary.size !== info.size || summary.mtimeMs !== info.mtimeMs) {
      summary = { size: info.size, mtimeMs: info.mtimeMs, ...(await summarize(path)) };
      this.summaries.set(name, summary);
    }
    const createdAt = timestampOfBackup(table, name) ?? info.mtime;
    return {
      file: name,
      rows: summary.rows,
      bytes: info.size,
      sha256: summary.sha256,
      createdAt: createdAt.toISOString(),
    };
  }

  /** The new name must survive a crash too. */
  private async syncFolder(): Promise<void> {
    const handle = await open(this.dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}

/** Rows (from the block headers, without decompressing) and sha256 of a file; rows null when damaged. */
async function summarize(path: string): Promise<{ rows: number | null; sha256: string }> {
  const reader = await AvroContainerReader.open(path);
  try {
    let rows = 0;
    const header = await reader.header();
    for await (const block of reader.blocks(header.codec, { decompress: false })) rows += block.count;
    return { rows, sha256: reader.sha256 };
  } catch {
    return { rows: null, sha256: await sha256Of(path) };
  } finally {
    await reader.close();
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
