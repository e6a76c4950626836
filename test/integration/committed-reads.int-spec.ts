import type { QueryRunner } from 'typeorm';
import { createDialect } from '../../src/database/dialect';
import { BackupService } from '../../src/backup/backup.service';
import { MigrationRunEntity } from '../../src/database/entities/migration-run.entity';
import { MigrationRunsRepository } from '../../src/migration/repositories/migration-runs.repository';
import { yearRange } from '../../src/reports/report-year';
import { ReportsRepository } from '../../src/reports/reports.repository';
import { seedHrTables, stored } from '../support/hr-seed';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const COMMITTED = 10;
const PENDING = 25;

describe.each(testEngines())('reads during a write transaction on %s', (engine) => {
  let t: TestApp;
  let reports: ReportsRepository;
  let backups: BackupService;
  let runs: MigrationRunsRepository;

  beforeAll(async () => {
    t = await startTestApp(engine);
    reports = t.app.get(ReportsRepository);
    backups = t.app.get(BackupService);
    runs = t.app.get(MigrationRunsRepository);
    await seedHrTables(t.dataSource, { departments: 3, jobs: 2, employees: COMMITTED });
  });
  afterAll(async () => {
    await t.close();
  });

  /** The hires of 2021 the report counts, all departments, jobs and quarters together. */
  async function hiresIn2021(): Promise<number> {
    const rows = await reports.countHiresByQuarter(yearRange(2021));
    return rows.reduce((sum, row) => sum + row.Q1 + row.Q2 + row.Q3 + row.Q4, 0);
  }

  /** Opens a transaction on the application's own DataSource, as a batch or a restore does, and writes in it. */
  async function writeWithoutCommit(firstId: number): Promise<QueryRunner> {
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    const values = Array.from({ length: PENDING }, (_, i) => [
      firstId + i,
      `Pending ${firstId + i}`,
      stored(Date.UTC(2021, 5, 1) + i * 1000),
      1,
      1,
    ]);
    await runner.query(
      createDialect(t.dataSource).sql(
        `INSERT INTO hired_employees (id, name, datetime, department_id, job_id) VALUES ${values.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      ),
      values.flat(),
    );
    await runner.manager.save(MigrationRunEntity, {
      tableName: 'hired_employees',
      fileName: 'pending.csv',
      status: 'running',
      batchSize: 1000,
      rejectMode: 'batch',
      startedAt: new Date(),
      bytesRead: 0,
    });
    return runner;
  }

  it('should count only committed hires in reports, backups and the run list when a transaction is open', async () => {
    const runsBefore = (await runs.listRuns(50, 0)).total;
    const runner = await writeWithoutCommit(1000);
    try {
      await expect(hiresIn2021()).resolves.toBe(COMMITTED);
      await expect(backups.create('hired_employees')).resolves.toMatchObject({ rows: COMMITTED });
      await expect(runs.listRuns(50, 0)).resolves.toMatchObject({ total: runsBefore });
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    await expect(hiresIn2021()).resolves.toBe(COMMITTED);
  });

  it('should count the new hires as soon as the transaction commits', async () => {
    const runsBefore = (await runs.listRuns(50, 0)).total;
    const runner = await writeWithoutCommit(2000);
    try {
      await expect(hiresIn2021()).resolves.toBe(COMMITTED);
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
    await expect(hiresIn2021()).resolves.toBe(COMMITTED + PENDING);
    await expect(backups.create('hired_employees')).resolves.toMatchObject({ rows: COMMITTED + PENDING });
    await expect(runs.listRuns(50, 0)).resolves.toMatchObject({ total: runsBefore + 1 });
  });
});
