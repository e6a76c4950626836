import { Injectable } from '@nestjs/common';
import { escape } from 'mysql2';
import { DataSource, type QueryRunner } from 'typeorm';
import { TABLE_COLUMNS, type TableName } from '../../database/tables';
import type { DbValue } from '../rules/row-validator';

/** The HR tables as the load sees them: one lookup of ids per batch, one multi-row upsert per batch. */
@Injectable()
export class HrTablesRepository {
  private readonly upserts = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {}

  /** Which of `ids` exist in `table`, in one query. */
  async findExistingIds(table: TableName, ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const marks = ids.map(() => '?').join(',');
    const rows: { id: number | string }[] = await this.dataSource.query(
      `SELECT id FROM ${table} WHERE id IN (${marks})`,
      [...ids],
    );
    return rows.map((r) => Number(r.id));
  }

  /** Inserts the rows, updating those whose id exists: one statement for the batch. */
  async upsertBatch(runner: QueryRunner, table: TableName, rows: readonly DbValue[][]): Promise<void> {
    if (rows.length === 0) return;
    if (this.dataSource.options.type !== 'better-sqlite3') {
      await runner.query(upsertText(table, rows));
      return;
    }
    const parameters: DbValue[] = [];
    for (const row of rows) for (const value of row) parameters.push(value);
    await runner.query(this.upsertSql(table, rows.length), parameters);
  }

  /** SQLite's statement, with placeholders: better-sqlite3 binds numbers as they are. */
  private upsertSql(table: TableName, count: number): string {
    const key = `${table}:${count}`;
    let sql = this.upserts.get(key);
    if (sql) return sql;
    const columns = TABLE_COLUMNS[table].map((c) => c.name);
    const tuple = `(${columns.map(() => '?').join(',')})`;
    const values = new Array<string>(count).fill(tuple).join(',');
    const updated = columns.slice(1);
    sql = `INSERT INTO ${table} (${columns.join(',')}) VALUES ${values} ON CONFLICT(id) DO UPDATE SET ${updated.map((c) => `${c}=excluded.${c}`).join(',')}`;
    if (this.upserts.size < 2000) this.upserts.set(key, sql);
    return sql;
  }
}

/**
 * MySQL's statement with the values escaped in, as mysql2 would do it from placeholders, except
 * for numbers: mysql2 writes them with `'' + n`, and V8 keeps the text of every number so made in
 * a cache that outlives young collections, so each new id's text reached the old generation and
 * stayed there, as garbage, until the next full collection (the peak memory of a long load).
 */
export function upsertText(table: TableName, rows: readonly DbValue[][]): string {
  // Pieces joined once: concatenating short strings copies them at every step.
  const width = rows.length > 0 ? rows[0].length : 0;
  const pieces = new Array<string>(rows.length * (width * 2 + 1));
  let p = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    pieces[p++] = r === 0 ? '(' : ',(';
    for (let c = 0; c < row.length; c++) {
      const value = row[c];
      pieces[p++] = typeof value === 'number' ? integerText(value) : escape(value);
      pieces[p++] = c === row.length - 1 ? ')' : ',';
    }
  }
  pieces.length = p;
  const columns = TABLE_COLUMNS[table].map((c) => c.name);
  const updated = columns.slice(1).map((c) => `${c}=VALUES(${c})`);
  return `INSERT INTO ${table} (${columns.join(',')}) VALUES ${pieces.join('')} ON DUPLICATE KEY UPDATE ${updated.join(',')}`;
}

const THOUSAND = Array.from({ length: 1000 }, (_, i) => String(i));
const PADDED = THOUSAND.map((text) => text.padStart(3, '0'));

/** The decimal text of a non-negative integer, built from fixed pieces, outside V8's number-to-text cache. */
export function integerText(n: number): string {
  if (n < 1000) return THOUSAND[n];
  return integerText(Math.floor(n / 1000)) + PADDED[n % 1000];
}
