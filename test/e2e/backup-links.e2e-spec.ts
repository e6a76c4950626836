import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { readTable, seedHrTables } from '../support/hr-seed';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

describe.each(testEngines())('symbolic links in the backup folder on %s', (engine) => {
  let t: TestApp;
  let outside: string;
  let real: string;
  // A name that would be the newest backup if links out of the folder counted.
  const future = 'jobs-29991231T235959999Z.avro';

  beforeAll(async () => {
    t = await startTestApp(engine);
    await seedHrTables(t.dataSource, { departments: 3, jobs: 5, employees: 0 });
    real = (await request(t.server).post('/backup/jobs').set(t.auth).expect(201)).body.file;
    // A valid backup outside the folder: it would restore if a link to it were followed.
    outside = mkdtempSync(join(tmpdir(), 'hr-outside-'));
    copyFileSync(join(t.backupDir, real), join(outside, 'jobs-copy.avro'));
    mkdirSync(join(t.backupDir, 'kept'));
    copyFileSync(join(t.backupDir, real), join(t.backupDir, 'kept', 'jobs-kept.avro'));
    const link = (target: string, name: string) => symlinkSync(target, join(t.backupDir, name));
    link('/etc/passwd', 'jobs-passwd.avro');
    link(join(outside, 'jobs-copy.avro'), 'jobs-outside.avro');
    link(join(outside, 'jobs-copy.avro'), future);
    link(join('..', outside.split('/').pop() ?? '', 'jobs-copy.avro'), 'jobs-relative-out.avro');
    link('missing.avro', 'jobs-dangling.avro');
    link('kept', 'jobs-folder.avro');
    link(real, 'jobs-latest.avro');
    link(join('kept', 'jobs-kept.avro'), 'jobs-nested.avro');
  });
  afterAll(async () => {
    await t.close();
    rmSync(outside, { recursive: true, force: true });
  });

  it('should list regular files and links to files inside the folder, and no link that leads out of it', async () => {
    const res = await request(t.server).get('/backup/jobs').expect(200);
    const files = res.body.map((b: { file: string }) => b.file).sort();
    expect(files).toEqual(['jobs-latest.avro', 'jobs-nested.avro', real].sort());
    expect(JSON.stringify(res.body)).not.toContain(outside);
  });

  it.each([
    'jobs-passwd.avro',
    'jobs-outside.avro',
    'jobs-29991231T235959999Z.avro',
    'jobs-relative-out.avro',
    'jobs-dangling.avro',
    'jobs-folder.avro',
  ])('should answer 404 and leave the table as it was when a restore names the link %s', async (file) => {
    const before = await readTable(t.dataSource, 'jobs');
    const res = await request(t.server).post('/restore/jobs').set(t.auth).send({ file }).expect(404);
    expect(res.body).toMatchObject({ code: 'BACKUP_FILE_NOT_FOUND' });
    expect(JSON.stringify(res.body)).not.toMatch(/\/etc|\/tmp/);
    await expect(readTable(t.dataSource, 'jobs')).resolves.toEqual(before);
  });

  it('should restore through a link that stays inside the folder', async () => {
    const res = await request(t.server)
      .post('/restore/jobs')
      .set(t.auth)
      .send({ file: 'jobs-latest.avro' })
      .expect(200);
    expect(res.body).toEqual({ table: 'jobs', file: 'jobs-latest.avro', rowsRestored: 5 });
  });

  it('should never take a link out of the folder for the newest backup when no file is named', async () => {
    const res = await request(t.server).post('/restore/jobs').set(t.auth).send({}).expect(200);
    expect(res.body.file).not.toBe(future);
    expect(['jobs-latest.avro', 'jobs-nested.avro', real]).toContain(res.body.file);
  });
});
