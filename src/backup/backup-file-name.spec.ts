import { DomainError } from '../common/errors/domain-error';
import { assertBackupName, backupFileName, isBackupOf, timestampOfBackup } from './backup-file-name';

describe('backup file names', () => {
  it('should name a backup <table>-<UTC timestamp with milliseconds>.avro when one is written', () => {
    const at = new Date('2026-11-25T20:15:00.123Z');
    expect(backupFileName('hired_employees', at)).toBe('hired_employees-20261125T201500123Z.avro');
  });

  it('should sort names in time order when two backups fall in the same second', () => {
    const first = backupFileName('jobs', new Date('2026-11-25T20:15:00.009Z'));
    const second = backupFileName('jobs', new Date('2026-11-25T20:15:00.010Z'));
    expect(first < second).toBe(true);
  });

  it('should read back the instant of a name it wrote', () => {
    const at = new Date('2026-01-02T03:04:05.006Z');
    expect(timestampOfBackup('departments', backupFileName('departments', at))).toEqual(at);
  });

  it('should give no instant when the name has another shape', () => {
    expect(timestampOfBackup('departments', 'departments-copied-by-hand.avro')).toBeUndefined();
    expect(timestampOfBackup('departments', 'departments-20261399T999999999Z.avro')).toBeUndefined();
  });

  it.each([
    ['jobs', 'jobs-20261125T201500123Z.avro'],
    ['jobs', 'jobs-copied in by an operator.avro'],
    ['hired_employees', 'hired_employees-x.avro'],
  ] as const)('should take %s backup %s as one of its own when it has the table prefix', (table, name) => {
    expect(isBackupOf(table, name)).toBe(true);
  });

  it.each([
    ['departments', 'jobs-20261125T201500123Z.avro'],
    ['jobs', 'hired_employees-20261125T201500123Z.avro'],
    ['departments', '../departments-x.avro'],
    ['departments', 'departments-../x.avro'],
    ['departments', '/etc/passwd'],
    ['departments', 'a/b.avro'],
    ['departments', 'departments-a\\b.avro'],
    ['departments', 'departments-.avro'],
    ['departments', 'departments-x.avro.tmp'],
    ['departments', 'departments-x\u0000.avro'],
    ['departments', ''],
    ['departments', `departments-${'x'.repeat(300)}.avro`],
  ] as const)('should not take %s backup name %j as its own when it is a path or another name', (table, name) => {
    expect(isBackupOf(table, name)).toBe(false);
    let thrown: unknown;
    try {
      assertBackupName(table, name);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe('BACKUP_INVALID_FILE_NAME');
  });
});
