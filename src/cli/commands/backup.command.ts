import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ApiClient } from '../api.client';
import type { BackupFile, CreatedBackup, RestoredBackup } from '../api.types';
import { CliError, EXIT_OK, UsageError } from '../cli.error';
import type { CommandContext, CommandDefinition } from '../command.types';
import { plural } from '../run.formatter';
import { type Column, formatBytes, formatCount, formatInstant, formatTable } from '../table.formatter';

const TABLES = 'departments, jobs or hired_employees';

const BACKUP_COLUMNS: Column<BackupFile>[] = [
  { header: 'file', value: (b) => b.file },
  { header: 'rows', align: 'right', value: (b) => (b.rows === null ? 'unreadable' : formatCount(b.rows)) },
  { header: 'size', align: 'right', value: (b) => formatBytes(b.bytes) },
  { header: 'created (UTC)', value: (b) => formatInstant(b.createdAt) },
  { header: 'sha256', value: (b) => b.sha256.slice(0, 16) },
];

export const backupCommand: CommandDefinition = {
  name: 'backup',
  summary: "Back a table up to an AVRO file in the service's backup folder",
  args: '<table>',
  positionals: { min: 1, max: 1 },
  options: {},
  details: [`<table> is ${TABLES}.`],
  examples: ['hr-migrate backup hired_employees'],
  run: async ({ line, api, terminal }: CommandContext) => {
    const table = encodeURIComponent(line.positionals[0]);
    const backup = await api.postJson<CreatedBackup>(`/backup/${table}`);
    const text =
      `Backed up ${plural(backup.rows, 'row')} of ${backup.table} to ${backup.file} ` +
      `(${formatBytes(backup.bytes)}, sha256 ${backup.sha256})\n`;
    terminal.out(line.global.json ? `${JSON.stringify(backup, null, 2)}\n` : text);
    return EXIT_OK;
  },
};

export const backupsCommand: CommandDefinition = {
  name: 'backups',
  summary: "List a table's backups, newest first; download or delete one",
  args: '<table>',
  positionals: { min: 1, max: 1 },
  options: {
    download: {
      type: 'string',
      valueName: 'file',
      description: 'save that backup in the current folder, checked against its sha256',
    },
    delete: { type: 'string', valueName: 'file', description: 'delete that backup (needs the API key)' },
  },
  details: [`<table> is ${TABLES}; <file> is a name the list shows.`],
  examples: [
    'hr-migrate backups departments',
    'hr-migrate backups jobs --download jobs-20261125T201500123Z.avro',
    'hr-migrate backups jobs --delete jobs-20261125T201500123Z.avro',
  ],
  run: async (context: CommandContext) => {
    const { line, api, terminal } = context;
    const table = line.positionals[0];
    const download = line.options.download as string | undefined;
    const remove = line.options.delete as string | undefined;
    if (download !== undefined && remove !== undefined) {
      throw new UsageError('give --download or --delete, not both', 'backups');
    }
    if (download !== undefined) return downloadBackup(context, table, download);
    if (remove !== undefined) {
      await api.delete(backupPath(table, remove));
      terminal.out(
        line.global.json ? `${JSON.stringify({ table, file: remove, deleted: true })}\n` : `Deleted ${remove}\n`,
      );
      return EXIT_OK;
    }
    const files = await api.getJson<BackupFile[]>(`/backup/${encodeURIComponent(table)}`);
    if (line.global.json) terminal.out(`${JSON.stringify(files, null, 2)}\n`);
    else if (files.length === 0)
      terminal.out(`No backups of ${table} yet. Make one with: hr-migrate backup ${table}\n`);
    else terminal.out(formatTable(BACKUP_COLUMNS, files));
    return EXIT_OK;
  },
};

function backupPath(table: string, file: string): string {
  return `/backup/${encodeURIComponent(table)}/${encodeURIComponent(file)}`;
}

/** Saves the file under its own name in the current folder; a file of that name is never replaced. */
async function downloadBackup({ line, api, terminal }: CommandContext, table: string, file: string): Promise<number> {
  const target = resolve(basename(file));
  const response = await api.getStream(backupPath(table, file));
  const expected = (response.headers.get('etag') ?? '').replace(/^(W\/)?"|"$/g, '');
  const hash = createHash('sha256');
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    const body = response.body ? Readable.fromWeb(response.body as never) : Readable.from([]);
    await pipeline(body, count, createWriteStream(target, { flags: 'wx' }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliError(`${target} already exists; move it away or download from another folder`);
    }
    // Remove the partial file if there is one; the download's own error is what the user needs.
    await unlink(target).catch(() => undefined);
    throw downloadError(api, error);
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== expected) {
    // A file that does not match is never left behind; failing to remove it changes nothing to say.
    await unlink(target).catch(() => undefined);
    throw new CliError(`the download of ${file} does not match its sha256 (${expected || 'none given'}); try again`);
  }
  const saved = { table, file, path: target, bytes, sha256 };
  const text = `Downloaded ${file} (${formatBytes(bytes)}) to ${target}; its sha256 ${sha256} matches\n`;
  terminal.out(line.global.json ? `${JSON.stringify(saved, null, 2)}\n` : text);
  return EXIT_OK;
}

function downloadError(api: ApiClient, error: unknown): CliError {
  if (error instanceof CliError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new CliError(`the download from ${api.baseUrl} stopped: ${reason}`);
}

export const restoreCommand: CommandDefinition = {
  name: 'restore',
  summary: "Replace a table's rows with a backup's, atomically",
  args: '<table> [file]',
  positionals: { min: 1, max: 2 },
  options: {},
  details: [`<table> is ${TABLES}; [file] is a name listed by 'hr-migrate backups <table>' (default: the newest).`],
  examples: ['hr-migrate restore departments', 'hr-migrate restore jobs jobs-20261125T201500123Z.avro'],
  run: async ({ line, api, terminal }: CommandContext) => {
    const [table, file] = line.positionals;
    const body = file === undefined ? {} : { file };
    const restored = await api.postJson<RestoredBackup>(`/restore/${encodeURIComponent(table)}`, body);
    const text = `Restored ${plural(restored.rowsRestored, 'row')} into ${restored.table} from ${restored.file}\n`;
    terminal.out(line.global.json ? `${JSON.stringify(restored, null, 2)}\n` : text);
    return EXIT_OK;
  },
};
