import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createDialect } from '../../src/database/dialect';

export interface SeedDepartment {
  id: number;
  department: string;
}

export interface SeedJob {
  id: number;
  job: string;
}

export interface SeedEmployee {
  id: number;
  name: string;
  /** UTC, as the loader stores it: 'YYYY-MM-DD HH:MM:SS.mmm'. */
  datetime: string;
  department_id: number;
  job_id: number;
}

export interface SeedData {
  departments: SeedDepartment[];
  jobs: SeedJob[];
  employees: SeedEmployee[];
}

const CHUNK = 500;

/** Inserts rows with plain SQL, in chunks, parents first; independent of the CSV loader. */
export async function seed(dataSource: DataSource, data: Partial<SeedData>): Promise<void> {
  await insertRows(dataSource, 'departments', ['id', 'department'], data.departments ?? []);
  await insertRows(dataSource, 'jobs', ['id', 'job'], data.jobs ?? []);
  await insertRows(
    dataSource,
    'hired_employees',
    ['id', 'name', 'datetime', 'department_id', 'job_id'],
    data.employees ?? [],
  );
}

async function insertRows<T extends object>(
  dataSource: DataSource,
  table: string,
  columns: (keyof T & string)[],
  rows: T[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    await dataSource.query(
      createDialect(dataSource).sql(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}`,
      ),
      chunk.flatMap((row) => columns.map((column) => row[column])),
    );
  }
}

/** An ISO 8601 instant with a zone, as the UTC text the loader stores. */
export function toStoredUtc(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`Not an instant: ${iso}`);
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

const GLOBANT_DIR = join(__dirname, '..', 'fixtures', 'globant');

/** The headerless CRLF files, split naively (they hold no quotes); a row with any empty field is skipped. */
function readGlobant(file: string, columns: number): string[][] {
  return readFileSync(join(GLOBANT_DIR, file), 'utf8')
    .split(/\r?\n/)
    .map((line) => line.split(','))
    .filter((fields) => fields.length === columns && fields.every((field) => field.trim() !== ''));
}

/** The challenge's sample data as the loader keeps it with rejectMode=row: 12 departments, 183 jobs, 1929 employees. */
export function globantData(): SeedData {
  return {
    departments: readGlobant('departments.csv', 2).map(([id, department]) => ({ id: Number(id), department })),
    jobs: readGlobant('jobs.csv', 2).map(([id, job]) => ({ id: Number(id), job })),
    employees: readGlobant('hired_employees.csv', 5).map(([id, name, datetime, department, job]) => ({
      id: Number(id),
      name,
      datetime: toStoredUtc(datetime),
      department_id: Number(department),
      job_id: Number(job),
    })),
  };
}
