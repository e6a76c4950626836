import type { BackupFile, CreatedBackup, RestoredBackup } from '../api.types';
import { EXIT_OK } from '../cli.error';
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
  summary: "List a table's backups, newest first",
  args: '<table>',
  positionals: { min: 1, max: 1 },
  options: {},
  details: [`<table> is ${TABLES}.`],
  examples: ['hr-migrate backups departments'],
  run: async ({ line, api, terminal }: CommandContext) => {
    const table = line.positionals[0];
    const files = await api.getJson<BackupFile[]>(`/backup/${encodeURIComponent(table)}`);
    if (line.global.json) terminal.out(`${JSON.stringify(files, null, 2)}\n`);
    else if (files.length === 0)
      terminal.out(`No backups of ${table} yet. Make one with: hr-migrate backup ${table}\n`);
    else terminal.out(formatTable(BACKUP_COLUMNS, files));
    return EXIT_OK;
  },
};

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
