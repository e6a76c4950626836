import { DomainError } from '../common/errors/domain-error';
import type { TableName } from '../database/tables';
import { echo } from '../common/text/echo';

/** A backup's name holds no separator, NUL or other control character. */
function hasForbiddenCharacter(name: string): boolean {
  for (let i = 0; i < name.length; i += 1) {
    const code = name.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x2f || code === 0x5c) return true;
  }
  return false;
}
const MAX_NAME_LENGTH = 255;
const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/;

/** `<table>-<UTC timestamp>.avro`, e.g. `jobs-20261125T201500123Z.avro`: sortable, millisecond precision. */
export function backupFileName(table: TableName, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${table}-${stamp}.avro`;
}

/**
 * Whether `name` is a backup of `table`: `<table>-<anything>.avro`, a bare name. Table names end
 * where the dash starts, so `hired_employees-x.avro` is never taken for another table's file.
 */
export function isBackupOf(table: TableName, name: string): boolean {
  const prefix = `${table}-`;
  return (
    name.length <= MAX_NAME_LENGTH &&
    name.startsWith(prefix) &&
    name.endsWith('.avro') &&
    name.length > prefix.length + '.avro'.length &&
    !hasForbiddenCharacter(name)
  );
}

/** The instant in a name this service wrote, or undefined for a name of another shape. */
export function timestampOfBackup(table: TableName, name: string): Date | undefined {
  if (!isBackupOf(table, name)) return undefined;
  const match = STAMP.exec(name.slice(table.length + 1, -'.avro'.length));
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, ms] = match;
  const at = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** Refuses any requested name that is not one of `table`'s backups: paths, `..`, other tables' files. */
export function assertBackupName(table: TableName, name: string): void {
  if (!isBackupOf(table, name)) {
    throw new DomainError(
      'BACKUP_INVALID_FILE_NAME',
      `${echo(name)} is not a backup of ${table}: give the bare name of one of GET /backup/${table}'s files (${table}-<timestamp>.avro)`,
    );
  }
}
