import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../support/hr-files';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { createTestDatabase, testEngines, type TestDatabase } from '../support/test-database';

jest.setTimeout(240_000);

/** Every two seconds: seconds-level, to see several ticks in a short test. */
const EVERY_TWO_SECONDS = '*/2 * * * * *';
const TABLES = ['departments', 'jobs', 'hired_employees'];

function backupsOf(dir: string, table: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith(`${table}-`) && name.endsWith('.avro'));
}

/** The tick (two-second slot) a backup belongs to, from the UTC instant in its name. */
function tickOf(table: string, name: string): number {
  const stamp = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(\d{3})Z$/.exec(name.slice(table.length + 1, -'.avro'.length));
  if (!stamp) throw new Error(`not a name the service writes: ${name}`);
  const [, y, mo, d, h, mi, s, ms] = stamp;
  return Math.floor(Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`) / 2000);
}

function scheduledStarts(service: ServiceProcess): number {
  return (service.output().match(/started \(schedule\)/g) ?? []).length;
}

function expectOneBackupOfEachTablePerTick(dir: string, ticks: number): void {
  for (const table of TABLES) {
    const files = backupsOf(dir, table);
    expect(files.length).toBeGreaterThanOrEqual(ticks);
    expect(new Set(files.map((name) => tickOf(table, name))).size).toBe(files.length);
  }
  const counts = TABLES.map((table) => backupsOf(dir, table).length);
  expect(new Set(counts).size).toBe(1);
}

describe.each(testEngines())('BACKUP_SCHEDULE on %s', (engine) => {
  let backupDir: string;
  beforeEach(() => (backupDir = mkdtempSync(join(tmpdir(), 'hr-schedule-'))));
  afterEach(() => rmSync(backupDir, { recursive: true, force: true }));

  it('should back every table up once a tick', async () => {
    const service = await startServiceProcess(engine, { backupDir, env: { BACKUP_SCHEDULE: EVERY_TWO_SECONDS } });
    try {
      await waitFor('two ticks of backups', async () => backupsOf(backupDir, 'hired_employees').length >= 2);
    } finally {
      await service.stop();
    }
    expectOneBackupOfEachTablePerTick(backupDir, 2);
    expect(scheduledStarts(service)).toBe(3 * backupsOf(backupDir, 'departments').length);
  });

  (engine !== 'sqlite' ? it : it.skip)(
    'should make one backup of each table a tick when two replicas share the database and the folder',
    async () => {
      const db: TestDatabase = await createTestDatabase(engine);
      const env = { BACKUP_SCHEDULE: EVERY_TWO_SECONDS };
      const replicas: ServiceProcess[] = [];
      try {
        replicas.push(await startServiceProcess(engine, { shared: db, backupDir, env }));
        replicas.push(await startServiceProcess(engine, { shared: db, backupDir, env }));
        // Three ticks while both replicas run.
        const from = backupsOf(backupDir, 'hired_employees').length;
        await waitFor('three ticks of backups', async () => backupsOf(backupDir, 'hired_employees').length >= from + 3);
        const leaders = replicas.filter((r) => r.output().includes('now leads backup_schedule'));
        expect(leaders).toHaveLength(1);
        const follower = replicas.find((r) => r !== leaders[0]) as ServiceProcess;
        // The follower stops first, so that it never takes the schedule over.
        await follower.stop();
        await leaders[0].stop();
        expect(scheduledStarts(follower)).toBe(0);
        expect(scheduledStarts(leaders[0])).toBe(3 * backupsOf(backupDir, 'departments').length);
        expectOneBackupOfEachTablePerTick(backupDir, 3);
      } finally {
        for (const replica of replicas) await replica.stop();
        await db.drop();
      }
    },
  );
});
