import { createHash } from 'node:crypto';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { BackupRepository } from '../../src/backup/backup.repository';
import { readTable, seedHrTables } from '../support/hr-seed';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

/** The whole body as bytes, whatever its content type. */
function binary(res: request.Response, done: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

describe.each(testEngines())('backup files: keep, download, delete on %s', (engine) => {
  let t: TestApp;
  const made: string[] = [];

  beforeAll(async () => {
    t = await startTestApp(engine, { backupKeep: 2 });
    await seedHrTables(t.dataSource, { departments: 3, jobs: 4, employees: 50 });
  });
  afterAll(async () => t?.close());

  it('should keep only the newest two backups of a table when a third is made with BACKUP_KEEP=2', async () => {
    for (let i = 0; i < 3; i++) {
      made.push((await request(t.server).post('/backup/jobs').set(t.auth).expect(201)).body.file);
    }
    await request(t.server).post('/backup/departments').set(t.auth).expect(201);
    const listed = await request(t.server).get('/backup/jobs').expect(200);
    expect(listed.body.map((b: { file: string }) => b.file)).toEqual([made[2], made[1]]);
    expect(existsSync(join(t.backupDir, made[0]))).toBe(false);
    expect((await request(t.server).get('/backup/departments').expect(200)).body).toHaveLength(1);
  });

  it('should download a backup whose bytes match its sha256, given as the ETag and in the list', async () => {
    const [newest] = (await request(t.server).get('/backup/jobs').expect(200)).body;
    const res = await request(t.server).get(`/backup/jobs/${newest.file}`).buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toContain(`filename="${newest.file}"`);
    const body = res.body as Buffer;
    expect(body.length).toBe(newest.bytes);
    const sha256 = createHash('sha256').update(body).digest('hex');
    expect(res.headers.etag).toBe(`"${sha256}"`);
    expect(sha256).toBe(newest.sha256);
  });

  it.each([
    ['a pruned backup', () => made[0]],
    ["another table's backup", () => made[2].replace('jobs-', 'departments-')],
    ['a path out of the folder', () => '..%2F..%2Fetc%2Fpasswd'],
    ['a name of no backup', () => 'jobs-nothing.avro'],
  ])('should answer 404 to a download of %s', async (_what, name) => {
    const res = await request(t.server).get(`/backup/jobs/${name()}`).expect(404);
    expect(res.body).toEqual(expect.objectContaining({ code: 'BACKUP_FILE_NOT_FOUND' }));
  });

  it('should refuse to delete a backup without the write key', async () => {
    await request(t.server).delete(`/backup/jobs/${made[1]}`).expect(401);
    expect(existsSync(join(t.backupDir, made[1]))).toBe(true);
  });

  it('should delete a backup with the write key, and then answer 404 for it', async () => {
    await request(t.server).delete(`/backup/jobs/${made[1]}`).set(t.auth).expect(204);
    expect(existsSync(join(t.backupDir, made[1]))).toBe(false);
    const listed = await request(t.server).get('/backup/jobs').expect(200);
    expect(listed.body.map((b: { file: string }) => b.file)).toEqual([made[2]]);
    await request(t.server).delete(`/backup/jobs/${made[1]}`).set(t.auth).expect(404);
    await request(t.server).delete(`/backup/nope/${made[2]}`).set(t.auth).expect(400);
  });

  it('should keep the backup it has just written when other backups are named later than now', async () => {
    const [source] = (await request(t.server).get('/backup/jobs').expect(200)).body;
    for (const name of ['jobs-20991231T000000000Z.avro', 'jobs-20991230T000000000Z.avro']) {
      copyFileSync(join(t.backupDir, source.file), join(t.backupDir, name));
    }
    const created = (await request(t.server).post('/backup/jobs').set(t.auth).expect(201)).body.file;
    await request(t.server).get(`/backup/jobs/${created}`).expect(200);
    const listed = await request(t.server).get('/backup/jobs').expect(200);
    expect(listed.body.map((b: { file: string }) => b.file).sort()).toEqual(
      ['jobs-20991231T000000000Z.avro', created].sort(),
    );
  });

  it('should finish a restore from the open file when the backup is deleted while it is restored', async () => {
    const file = (await request(t.server).post('/backup/hired_employees').set(t.auth).expect(201)).body.file;
    const before = await readTable(t.dataSource, 'hired_employees');
    const repository = t.app.get(BackupRepository);
    const hasRows = repository.hasRows.bind(repository);
    // The delete lands after the restore has chosen its file and before it reads it.
    const spy = jest.spyOn(repository, 'hasRows').mockImplementationOnce(async (table, runner) => {
      await request(t.server).delete(`/backup/hired_employees/${file}`).set(t.auth).expect(204);
      return hasRows(table, runner);
    });
    try {
      const res = await request(t.server).post('/restore/hired_employees').set(t.auth).send({ file });
      expect(res.body).toEqual({ table: 'hired_employees', file, rowsRestored: before.length });
      expect(res.status).toBe(200);
    } finally {
      spy.mockRestore();
    }
    expect(existsSync(join(t.backupDir, file))).toBe(false);
    expect(await readTable(t.dataSource, 'hired_employees')).toEqual(before);
  });
});
