import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mysql2/promise';
import request from 'supertest';
import { employeesCsv, openUpload, waitFor } from '../support/hr-files';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { clusterCount, createClusterDatabase, galera, type ClusterDatabase } from './galera-cluster';

/**
 * Replicas of the service over a 3-node MariaDB Galera cluster (test/cluster/galera.sh), each
 * replica on its own node. Every count is read back through another node than the writer's.
 */

const HALF = 2500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RunView {
  id: number;
  status: string;
  error: string | null;
  rowsInserted: number;
  rowsRead: number;
  batchesTotal: number;
}

describe('replicas over a Galera cluster', () => {
  let db: ClusterDatabase;
  let backupDir: string;
  /** A replica on node 2 that stays up: it sees, sweeps and answers for the others. */
  let observer: ServiceProcess;
  let node3: Connection;
  const started: ServiceProcess[] = [];

  async function replica(node: number, env: Record<string, string> = {}, dir = backupDir): Promise<ServiceProcess> {
    const service = await startServiceProcess('mysql', { shared: db.on(node), backupDir: dir, env });
    started.push(service);
    return service;
  }
  const auth = () => ({ Authorization: `Bearer ${observer.apiKey}` });

  beforeAll(async () => {
    db = await createClusterDatabase();
    backupDir = mkdtempSync(join(tmpdir(), 'hr-cluster-backups-'));
    observer = await replica(2);
    await request(observer.url)
      .post('/migrate/departments')
      .set(auth())
      .send([
        { id: 1, department: 'Support' },
        { id: 2, department: 'Sales' },
      ])
      .expect(201);
    await request(observer.url)
      .post('/migrate/jobs')
      .set(auth())
      .send([{ id: 1, job: 'Engineer' }])
      .expect(201);
    node3 = await db.connect(3);
  }, 300_000);
  afterAll(async () => {
    await node3?.end();
    for (const service of started) await service.stop();
    await db?.drop();
    rmSync(backupDir, { recursive: true, force: true });
  });

  /** Employees with ids in [from, from + count), read through node 3. */
  function rowsIn(from: number, count: number, conn: Connection = node3): Promise<number> {
    return clusterCount(conn, 'hired_employees WHERE id >= ? AND id < ?', [from, from + count]);
  }

  async function runOn(service: ServiceProcess, id: number): Promise<RunView> {
    return (await request(service.url).get(`/migrate/runs/${id}`).set(auth()).expect(200)).body;
  }

  /** The running run of hired_employees, seen by `service`, once it has committed `batches` batches. */
  function runningRun(service: ServiceProcess, batches: number): Promise<RunView> {
    return waitFor('a running run', async () => {
      const res = await request(service.url).get('/migrate/runs').set(auth());
      return res.body.items.find(
        (r: RunView & { table: string }) =>
          r.status === 'running' && r.table === 'hired_employees' && r.batchesTotal >= batches,
      );
    });
  }

  function send(to: ServiceProcess, csv: string) {
    return request(to.url)
      .post('/migrate')
      .set(auth())
      .field('table', 'hired_employees')
      .attach('file', Buffer.from(csv), 'hired_employees.csv')
      .then((r) => r);
  }

  it('should keep a live run when another replica starts on another node, and complete it with the count in the table', async () => {
    const a = await replica(1);
    const from = 100_001;
    const upload = openUpload(a.url, a.apiKey, 'hired_employees', employeesCsv(HALF, from));
    const run = await runningRun(a, 2);
    const b = await replica(3);
    // Longer than a lease and two sweeps: a run whose lease were not renewed would be ended by now.
    await sleep(17_000);
    const meanwhile = await runOn(b, run.id);
    // Should the run have ended, say why: its error and what its replica and the newcomer logged.
    if (meanwhile.status !== 'running') {
      console.log(`run ${run.id} ended: ${meanwhile.error}\n${a.output().slice(-6000)}\n${b.output().slice(-3000)}`);
    }
    expect(meanwhile).toMatchObject({ status: 'running', error: null });
    const done = await upload.finish(`\r\n${employeesCsv(HALF, from + HALF)}`);
    expect(done.status).toBe(201);
    expect(done.body.runs[0]).toMatchObject({ status: 'completed', rowsRead: 2 * HALF, rowsInserted: 2 * HALF });
    // Node 3 applies node 1's commits a moment later (the API reads without wsrep_sync_wait).
    const seen = await waitFor('the end seen through node 3', async () => {
      const view = await runOn(b, run.id);
      return view.status !== 'running' && view;
    });
    expect(seen).toMatchObject({ status: 'completed', rowsInserted: 2 * HALF });
    await expect(rowsIn(from, 2 * HALF)).resolves.toBe(2 * HALF);
    await a.stop();
    await b.stop();
  });

  it("should end a killed replica's run within 30 s through another node, with counts that match the table", async () => {
    const a = await replica(1);
    const from = 200_001;
    // Left open: the replica dies while it waits for the rest of the file.
    openUpload(a.url, a.apiKey, 'hired_employees', employeesCsv(HALF, from));
    const run = await runningRun(a, 2);
    a.signal('SIGKILL');
    const killedAt = Date.now();
    const ended = await waitFor(
      'the run ended by another replica',
      async () => {
        const seen = await runOn(observer, run.id);
        return seen.status !== 'running' && seen;
      },
      30_000,
    );
    const seconds = (Date.now() - killedAt) / 1000;
    console.log(`cluster: a killed replica's run ended after ${seconds.toFixed(1)} s`);
    expect(ended).toMatchObject({ status: 'failed' });
    expect(ended.error).toContain('interrupted');
    await expect(rowsIn(from, 2 * HALF)).resolves.toBe(ended.rowsInserted);
    expect(ended.rowsInserted).toBeGreaterThanOrEqual(2000);
  });

  it('should commit nothing more from a replica paused past its lease once another replica took its run over', async () => {
    const a = await replica(1);
    const from = 300_001;
    const upload = openUpload(a.url, a.apiKey, 'hired_employees', employeesCsv(HALF, from));
    const run = await runningRun(a, 2);
    a.signal('SIGSTOP');
    const ended = await waitFor(
      'the paused replica run taken over',
      async () => {
        const seen = await runOn(observer, run.id);
        return seen.status !== 'running' && seen;
      },
      30_000,
    );
    expect(ended).toMatchObject({ status: 'failed' });
    const counted = ended.rowsInserted;
    await expect(rowsIn(from, 2 * HALF)).resolves.toBe(counted);
    const batches = await clusterCount(node3, 'migration_run_batches WHERE run_id = ?', [run.id]);

    // Resumed, it reads the rest of the file: the fencing token refuses every batch.
    a.signal('SIGCONT');
    const answer = await upload.finish(`\r\n${employeesCsv(HALF, from + HALF)}`);
    expect(answer.status).toBeLessThan(500);
    expect(answer.body.runs?.[0]).toMatchObject({ status: 'failed', rowsInserted: counted });
    await expect(rowsIn(from, 2 * HALF)).resolves.toBe(counted);
    await expect(clusterCount(node3, 'migration_run_batches WHERE run_id = ?', [run.id])).resolves.toBe(batches);
    expect(await runOn(observer, run.id)).toMatchObject({ status: 'failed', rowsInserted: counted });
    expect(a.output()).toContain('was taken over by another replica');
    await a.stop();
  });

  it('should refuse a restore through one node while a load runs through another, and never interleave the two', async () => {
    const a = await replica(1);
    const backup = await request(observer.url).post('/backup/hired_employees').set(auth()).expect(201);
    const inBackup = await clusterCount(node3, 'hired_employees');
    const from = 400_001;
    const upload = openUpload(a.url, a.apiKey, 'hired_employees', employeesCsv(HALF, from));
    const run = await runningRun(a, 2);
    const refused = await request(observer.url)
      .post('/restore/hired_employees')
      .set(auth())
      .send({ file: backup.body.file })
      .expect(409);
    expect(refused.body).toMatchObject({ code: 'TABLE_BUSY' });
    expect(refused.body.message).toBe(
      `Migration run ${run.id} is writing hired_employees; restore it when the run has ended`,
    );
    const done = await upload.finish(`\r\n${employeesCsv(HALF, from + HALF)}`);
    expect(done.body.runs[0]).toMatchObject({ status: 'completed', rowsInserted: 2 * HALF });
    await expect(rowsIn(from, 2 * HALF)).resolves.toBe(2 * HALF);

    // Sent at once, through two nodes: one refused, or one after the other; never a mix, never a 500.
    const outcomes: string[] = [];
    for (let round = 0; round < 4; round++) {
      const first = 500_001 + round * 10_000;
      const [load, restore] = await Promise.all([
        send(a, employeesCsv(2 * HALF, first)),
        request(observer.url).post('/restore/hired_employees').set(auth()).send({ file: backup.body.file }),
      ]);
      expect([201, 409]).toContain(load.status);
      expect([200, 409]).toContain(restore.status);
      const loaded = await rowsIn(first, 2 * HALF);
      expect([0, 2 * HALF]).toContain(loaded);
      const total = await clusterCount(node3, 'hired_employees');
      if (restore.status === 200) expect(total).toBe(inBackup + loaded);
      if (load.status === 201) expect(load.body.runs[0]).toMatchObject({ status: 'completed', rowsInserted: 2 * HALF });
      if (load.status === 409) expect(loaded).toBe(0);
      outcomes.push(`load ${load.status}, restore ${restore.status}, ${loaded} loaded rows kept`);
    }
    console.log(`cluster: restore vs load at once: ${outcomes.join('; ')}`);
    await a.stop();
  });

  it('should retry the commit conflicts of two replicas loading the same rows through two nodes, with exact counts', async () => {
    const a = await replica(1);
    // Certification failures and transactions aborted for another node's commit, on the two writing nodes.
    const conflicts = async () => {
      let sum = 0;
      for (const node of [1, 2]) {
        const conn = await db.connect(node);
        const [rows] = await conn.query(
          "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_cert_failures', 'wsrep_local_bf_aborts')",
        );
        await conn.end();
        for (const row of rows as { Value: string }[]) sum += Number(row.Value);
      }
      return sum;
    };
    const before = await conflicts();
    const from = 600_001;
    const csv = employeesCsv(20_000, from);
    const [first, second] = await Promise.all([send(a, csv), send(observer, csv)]);
    for (const answer of [first, second]) {
      expect(answer.status).toBe(201);
      expect(answer.body.runs[0]).toMatchObject({ status: 'completed', rowsRead: 20_000, rowsInserted: 20_000 });
    }
    await expect(rowsIn(from, 20_000)).resolves.toBe(20_000);
    console.log(`cluster: same rows through two nodes: ${(await conflicts()) - before} commit conflicts, retried`);
    await a.stop();
  });

  it('should make one scheduled backup of each table per tick for the whole cluster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hr-cluster-schedule-'));
    const env = { BACKUP_SCHEDULE: '*/2 * * * * *' };
    const backupsOf = (table: string) =>
      readdirSync(dir).filter((name) => name.startsWith(`${table}-`) && name.endsWith('.avro'));
    const replicas = [await replica(1, env, dir), await replica(3, env, dir)];
    try {
      await waitFor('three ticks of backups', async () => backupsOf('hired_employees').length >= 3);
      const leaders = replicas.filter((r) => r.output().includes('now leads backup_schedule'));
      expect(leaders).toHaveLength(1);
      const follower = replicas.find((r) => r !== leaders[0]) as ServiceProcess;
      await follower.stop();
      await leaders[0].stop();
      expect(follower.output()).not.toContain('started (schedule)');
      const ticks = backupsOf('departments').length;
      expect((leaders[0].output().match(/started \(schedule\)/g) ?? []).length).toBe(3 * ticks);
      for (const table of ['departments', 'jobs', 'hired_employees']) {
        const stamps = backupsOf(table).map((name) => Math.floor(Date.parse(stampOf(table, name)) / 2000));
        expect(new Set(stamps).size).toBe(stamps.length);
        expect(stamps).toHaveLength(ticks);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should complete a run and its counts when a node that no replica uses is killed mid-load', async () => {
    const a = await replica(1);
    const from = 700_001;
    const upload = openUpload(a.url, a.apiKey, 'hired_employees', employeesCsv(HALF, from));
    await runningRun(a, 2);
    galera('kill', 3);
    const done = await upload.finish(`\r\n${employeesCsv(HALF, from + HALF)}`);
    expect(done.status).toBe(201);
    expect(done.body.runs[0]).toMatchObject({ status: 'completed', rowsRead: 2 * HALF, rowsInserted: 2 * HALF });
    const node2 = await db.connect(2);
    try {
      await expect(rowsIn(from, 2 * HALF, node2)).resolves.toBe(2 * HALF);
    } finally {
      await node2.end();
    }
    await a.stop();
    galera('restart', 3);
    await node3.end();
    node3 = await db.connect(3);
    await expect(rowsIn(from, 2 * HALF)).resolves.toBe(2 * HALF);
  });

  it("should end a run failed with its counts when the replica's own node dies, and complete it when sent again", async () => {
    const a = await replica(1);
    const from = 800_001;
    const upload = openUpload(a.url, a.apiKey, 'hired_employees', employeesCsv(HALF, from));
    const run = await runningRun(a, 2);
    galera('kill', 1);
    const answer = upload.finish(`\r\n${employeesCsv(HALF, from + HALF)}`);
    const ended = await waitFor(
      'the run of the replica whose node died ended',
      async () => {
        const seen = await runOn(observer, run.id);
        return seen.status !== 'running' && seen;
      },
      60_000,
    );
    expect(ended).toMatchObject({ status: 'failed' });
    expect(ended.error).toBeTruthy();
    await expect(rowsIn(from, 2 * HALF)).resolves.toBe(ended.rowsInserted);
    const answered = await answer;
    expect(answered.status).not.toBe(500);

    const again = await send(observer, employeesCsv(2 * HALF, from));
    expect(again.status).toBe(201);
    expect(again.body.runs[0]).toMatchObject({ status: 'completed', rowsInserted: 2 * HALF });
    await expect(rowsIn(from, 2 * HALF)).resolves.toBe(2 * HALF);
    await a.stop();
    galera('restart', 1);
  });
});

/** The UTC instant in a backup's name, as ISO text. */
function stampOf(table: string, name: string): string {
  const stamp = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(\d{3})Z$/.exec(name.slice(table.length + 1, -'.avro'.length));
  if (!stamp) throw new Error(`not a name the service writes: ${name}`);
  const [, y, mo, d, h, mi, s, ms] = stamp;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`;
}
