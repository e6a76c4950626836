import type { DataSource } from 'typeorm';
import { createDialect } from '../../src/database/dialect';
import { TABLE_COLUMNS, type TableName } from '../../src/database/tables';

export interface SeedCounts {
  departments: number;
  jobs: number;
  employees: number;
}

/** Inserts ids 1..n of each table with plain SQL; employees reference departments and jobs 1..min(n, 5). */
export async function seedHrTables(dataSource: DataSource, counts: SeedCounts): Promise<void> {
  await insertRows(
    dataSource,
    'departments',
    range(counts.departments).map((id) => [id, `Department ${id}`]),
  );
  await insertRows(
    dataSource,
    'jobs',
    range(counts.jobs).map((id) => [id, `Job ${id} — ñandú`]),
  );
  const base = Date.UTC(2021, 0, 1, 0, 0, 0, 7);
  await insertRows(
    dataSource,
    'hired_employees',
    range(counts.employees).map((id) => [
      id,
      `Employee ${id}`,
      stored(base + id * 3_600_123),
      (id % Math.min(counts.departments, 5)) + 1,
      (id % Math.min(counts.jobs, 5)) + 1,
    ]),
  );
}

export async function insertRows(dataSource: DataSource, table: TableName, rows: unknown[][]): Promise<void> {
  const columns = TABLE_COLUMNS[table].map((c) => c.name);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let start = 0; start < rows.length; start += 500) {
    const chunk = rows.slice(start, start + 500);
    await dataSource.query(
      createDialect(dataSource).sql(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}`,
      ),
      chunk.flat(),
    );
  }
}

/** Every row of a table, in id order, every column, datetimes as ISO strings with milliseconds. */
export async function readTable(dataSource: DataSource, table: TableName): Promise<Record<string, unknown>[]> {
  const columns = TABLE_COLUMNS[table].map((c) => c.name);
  const rows: Record<string, unknown>[] = await dataSource.query(
    `SELECT ${columns.join(', ')} FROM ${table} ORDER BY id`,
  );
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const column of TABLE_COLUMNS[table]) {
      const value = row[column.name];
      out[column.name] =
        column.kind === 'datetime'
          ? new Date(epochMillis(value)).toISOString()
          : column.kind === 'string'
            ? value
            : Number(value);
    }
    return out;
  });
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC, as both engines store it. */
export function stored(millis: number): string {
  return new Date(millis).toISOString().replace('T', ' ').slice(0, 23);
}

function epochMillis(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  return Date.parse(`${String(value).replace(' ', 'T')}Z`);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
