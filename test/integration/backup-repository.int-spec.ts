import { createDialect } from '../../src/database/dialect';
import { DataSource } from 'typeorm';
import { DomainError } from '../../src/common/errors/domain-error';
import { BackupRepository } from '../../src/backup/backup.repository';
import type { TableRow } from '../../src/backup/backup-records';
import { buildDataSourceOptions } from '../../src/database/data-source';
import { ReadDatabase } from '../../src/database/read-database';
import { insertRows, readTable, seedHrTables } from '../support/hr-seed';
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
  let reads: ReadDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    const options = buildDataSourceOptions(db.config);
    // One pooled connection: whatever a restore leaves on its connection, the next query sees.
    dataSource = new DataSource(
      options.type === 'mysql'
        ? { ...options, extra: { connectionLimit: 1 } }
        : options.type === 'postgres'
          ? { ...options, extra: { ...options.extra, max: 1 } }
          : options,
    );
    await dataSource.initialize();
    reads = await ReadDatabase.open(dataSource);
    repository = new BackupRepository(dataSource, reads, createDialect(dataSource));
    await seedHrTables(dataSource, { departments: 2500, jobs: 5, employees: 4000 });
  });
  afterAll(async () => {
    await reads.onApplicationShutdown();
    await dataSource.destroy();
    await db.drop();
  });

  describe.each([
    ['delete then insert', false],
    ['merge in id order', true],
  ])('replacing by %s', (_label, idsAscending) => {
    it('should hold exactly the new rows when the batches are complete', async () => {
      // Rows outside the backup's ids, in its gaps and beyond its last id, must go too.
      await dataSource.query("INSERT INTO departments (id, department) VALUES (3000, 'beyond'), (9000, 'far')");
      const rows = departments(2500, `Restored ${idsAscending}`).filter((row) => row[0] !== 1700);
      await expect(repository.replaceTable('departments', batchesOf(rows, 1000), { idsAscending })).resolves.toBe(2499);
      expect(await readTable(dataSource, 'departments')).toEqual(rows.map(([id, department]) => ({ id, department })));
    });

    it('should hold exactly the new rows when the backup skips most of the ids the table holds', async () => {
      await repository.replaceTable('departments', batchesOf(departments(2500, 'Many'), 1000));
      const rows: TableRow[] = [1, 2, 3, 4, 5, 2500, 2600].map((id) => [id, `Sparse ${id}`]);
      await expect(repository.replaceTable('departments', batchesOf(rows, 3), { idsAscending })).resolves.toBe(7);
      expect(await readTable(dataSource, 'departments')).toEqual(rows.map(([id, department]) => ({ id, department })));
    });

    it('should leave the table exactly as before when reading the backup fails after two batches were written', async () => {
      const before = await readTable(dataSource, 'departments');
      const failing = batchesOf(departments(2500, 'Half'), 1000, 2);
      await expect(repository.replaceTable('departments', failing, { idsAscending })).rejects.toThrow(
        'could not be read any further',
      );
      expect(await readTable(dataSource, 'departments')).toEqual(before);
    });

    it('should leave the table exactly as before when an insert fails mid-restore', async () => {
      const before = await readTable(dataSource, 'departments');
      const rows = departments(2500, 'Null name');
      // A NULL name violates NOT NULL on both engines, in the second batch.
      rows[1800] = [1801, null as unknown as string];
      await expect(repository.replaceTable('departments', batchesOf(rows, 1000), { idsAscending })).rejects.toThrow();
      expect(await readTable(dataSource, 'departments')).toEqual(before);
    });
  });

  describe('into an empty table', () => {
    let seeded: Record<string, unknown>[];
    beforeAll(async () => {
      seeded = await dataSource.query('SELECT id, name, datetime, department_id, job_id FROM hired_employees');
    });
    afterAll(async () => {
      await dataSource.query('DELETE FROM hired_employees');
      await insertRows(
        dataSource,
        'hired_employees',
        seeded.map((r) => [r.id, r.name, r.datetime, r.department_id, r.job_id]),
      );
    });

    describe.each([
      ['ids in order', true],
      ['ids in any order', false],
    ])('restoring into an empty table, %s', (_label, idsAscending) => {
      const employees = (n: number): TableRow[] =>
        Array.from({ length: n }, (_, i) => [
          n - i,
          `Employee ${n - i}`,
          Date.UTC(2021, 0, 1) + i * 61_000,
          1 + (i % 5),
          1 + (i % 5),
        ]);
      const asStored = (rows: TableRow[]) =>
        rows
          .map(([id, name, millis, department_id, job_id]) => ({
            id,
            name,
            datetime: new Date(millis as number).toISOString(),
            department_id,
            job_id,
          }))
          .sort((a, b) => (a.id as number) - (b.id as number));

      beforeEach(async () => {
        await dataSource.query('DELETE FROM hired_employees');
      });

      it('should hold exactly the rows of the backup when the batches are complete', async () => {
        const rows = employees(2500);
        const ordered = idsAscending ? [...rows].reverse() : rows;
        await expect(
          repository.replaceTable('hired_employees', batchesOf(ordered, 1000), { idsAscending }),
        ).resolves.toBe(2500);
        expect(await readTable(dataSource, 'hired_employees')).toEqual(asStored(rows));
      });

      it('should stay empty when reading the backup fails after two batches were written', async () => {
        const failing = batchesOf(employees(2500), 1000, 2);
        await expect(repository.replaceTable('hired_employees', failing, { idsAscending })).rejects.toThrow(
          'could not be read any further',
        );
        await expect(readTable(dataSource, 'hired_employees')).resolves.toEqual([]);
      });
    });

    it('should keep every character of the names when they hold tabs, line breaks, backslashes and quotes', async () => {
      await dataSource.query('DELETE FROM hired_employees');
      const names = [
        'Tab\there',
        'Line\nbreak',
        'Carriage\rreturn',
        'Back\\slash \\N',
        'Quote\'s "double"',
        'Ünïcode ✓',
      ];
      const rows: TableRow[] = names.map((name, i) => [i + 1, name, Date.UTC(2021, 0, 1, 0, 0, 0, 7), 1, 1]);
      await expect(repository.replaceTable('hired_employees', batchesOf(rows, 4))).resolves.toBe(names.length);
      const stored = await readTable(dataSource, 'hired_employees');
      expect(stored.map((row) => row.name)).toEqual(names);
      expect(stored[0].datetime).toBe('2021-01-01T00:00:00.007Z');
    });

    it('should store text exactly as the backup holds it when names hold tabs, line breaks and backslashes', async () => {
      await dataSource.query('DELETE FROM hired_employees');
      // PostgreSQL's text holds no NUL; the restore refuses every control character before this point anyway.
      const names = ['tab\there', 'two\nlines\r\n', '\\N', 'back\\slash\\', `O'Brien "Ñ" 😀`];
      if (engine !== 'postgres') names.push('nul\0byte');
      const rows: TableRow[] = names.map((name, i) => [i + 1, name, Date.UTC(2021, 0, 1, 0, 0, i, 5), 1, 1]);
      await expect(repository.replaceTable('hired_employees', batchesOf(rows, 4))).resolves.toBe(names.length);
      const stored = await readTable(dataSource, 'hired_employees');
      expect(stored.map((row) => row.name)).toEqual(names);
      expect(stored.map((row) => row.datetime)).toEqual(rows.map((row) => new Date(row[2]).toISOString()));
    });

    if (engine === 'mysql') {
      it('should write the rows with one LOAD DATA when the table is empty on MySQL', async () => {
        await dataSource.query('DELETE FROM hired_employees');
        // One pooled connection: the session's counters are the restore's.
        const loads = async () => {
          const [{ Value }]: { Value: string }[] = await dataSource.query("SHOW SESSION STATUS LIKE 'Com_load'");
          return Number(Value);
        };
        const before = await loads();
        const rows: TableRow[] = [3, 1, 2].map((id) => [id, `Employee ${id}`, Date.UTC(2021, 0, 1), 1, 1]);
        await expect(repository.replaceTable('hired_employees', batchesOf(rows, 2))).resolves.toBe(3);
        expect((await loads()) - before).toBe(1);
      });
    }

    it('should stay empty and refuse the backup when it repeats an id', async () => {
      await dataSource.query('DELETE FROM hired_employees');
      const rows: TableRow[] = [1, 2, 3, 2].map((id) => [id, `Employee ${id}`, Date.UTC(2021, 0, 1), 1, 1]);
      const failure = repository.replaceTable('hired_employees', batchesOf(rows, 2));
      await expect(failure).rejects.toMatchObject({ code: 'BACKUP_INVALID_RECORDS' });
      await expect(readTable(dataSource, 'hired_employees')).resolves.toEqual([]);
    });
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

  if (engine === 'mysql') {
    it('should check unique keys again on the connection when a restore has ended, after a failed one too', async () => {
      // The restores above ran on this one pooled connection, the last of them refused.
      const [{ checks }]: { checks: unknown }[] = await dataSource.query('SELECT @@unique_checks AS checks');
      expect(Number(checks)).toBe(1);
    });
  }

  it('should read the table in id order, page after page, when it spans several pages', async () => {
    const pages: number[][] = [];
    for await (const page of repository.readPages('jobs', 2)) pages.push(page.map((r) => Number(r.id)));
    expect(pages).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('should stop after the last full page when the rows are an exact multiple of the page size', async () => {
    const sizes: number[] = [];
    for await (const page of repository.readPages('hired_employees', 1000)) sizes.push(page.length);
    expect(sizes).toEqual([1000, 1000, 1000, 1000]);
  });
});
