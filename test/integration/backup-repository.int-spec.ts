import { DataSource } from 'typeorm';
import { DomainError } from '../../src/common/errors/domain-error';
import { BackupRepository } from '../../src/backup/backup.repository';
import type { TableRow } from '../../src/backup/backup-records';
import { buildDataSourceOptions } from '../../src/database/data-source';
import { readTable, seedHrTables } from '../support/hr-seed';
import { createTestDatabase, testEngines, type TestDatabase } from '../support/test-database';

async function* batchesOf(rows: TableRow[], size: number, failAfter?: number): AsyncGenerator<TableRow[]> {
  for (let start = 0, n = 0; start < rows.length; start += size, n += 1) {
    if (failAfter !== undefined && n === failAfter) throw new Error('the backup could not be read any further');
    yield rows.slice(start, start + size);
  }
}

function departments(n: number, label: string): TableRow[] {
  return Array.from({ length: n }, (_, i) => [i + 1, `${label} ${i + 1}`]);
}

describe.each(testEngines())('BackupRepository on %s', (engine) => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let repository: BackupRepository;

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    const options = buildDataSourceOptions(db.config);
    // One pooled connection: whatever a restore leaves on its connection, the next query sees.
    dataSource = new DataSource(engine === 'mysql' ? { ...options, extra: { connectionLimit: 1 } } : options);
    await dataSource.initialize();
    repository = new BackupRepository(dataSource);
    await seedHrTables(dataSource, { departments: 2500, jobs: 5, employees: 4000 });
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('should replace every row in one step when the batches are complete', async () => {
    const rows = departments(2500, 'Restored');
    await expect(repository.replaceTable('departments', batchesOf(rows, 1000))).resolves.toBe(2500);
    const after = await readTable(dataSource, 'departments');
    expect(after).toHaveLength(2500);
    expect(after[2499]).toEqual({ id: 2500, department: 'Restored 2500' });
  });

  it('should leave the table exactly as before when reading the backup fails after two batches were inserted', async () => {
    const before = await readTable(dataSource, 'departments');
    await expect(repository.replaceTable('departments', batchesOf(departments(2500, 'Half'), 1000, 2))).rejects.toThrow(
      'could not be read any further',
    );
    expect(await readTable(dataSource, 'departments')).toEqual(before);
  });

  it('should leave the table exactly as before when an insert violates the primary key mid-restore', async () => {
    const before = await readTable(dataSource, 'departments');
    const rows = departments(2500, 'Dup');
    rows[1800] = [5, 'repeats id 5'];
    const failure = repository.replaceTable('departments', batchesOf(rows, 1000));
    await expect(failure).rejects.toBeInstanceOf(DomainError);
    await expect(failure).rejects.toMatchObject({ code: 'BACKUP_INVALID_RECORDS' });
    expect(await readTable(dataSource, 'departments')).toEqual(before);
  });

  it('should refuse with a conflict and change nothing when the new rows would orphan hired employees', async () => {
    const before = await readTable(dataSource, 'departments');
    const failure = repository.replaceTable('departments', batchesOf(departments(3, 'Few'), 1000));
    await expect(failure).rejects.toMatchObject({ code: 'BACKUP_RESTORE_CONFLICT' });
    await expect(failure).rejects.toThrow(/would leave \d+ hired employees pointing at missing departments/);
    expect(await readTable(dataSource, 'departments')).toEqual(before);
  });

  it('should enforce foreign keys again on the connection when a restore has ended', async () => {
    await expect(
      dataSource.query(
        "INSERT INTO hired_employees (id, name, datetime, department_id, job_id) VALUES (99999, 'x', '2021-01-01 00:00:00.000', 424242, 1)",
      ),
    ).rejects.toThrow();
  });

  it('should read the table in id order, page after page, when it spans several pages', async () => {
    const pages: number[][] = [];
    for await (const page of repository.readPages('jobs', 2)) pages.push(page.map((r) => Number(r.id)));
    expect(pages).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('should stop after the last full page when the rows are an exact multiple of the page size', async () => {
    const sizes: number[] = [];
    for await (const page of repository.readPages('departments', 500)) sizes.push(page.length);
    expect(sizes).toEqual([500, 500, 500, 500, 500]);
  });
});
