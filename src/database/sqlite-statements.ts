import { TABLE_COLUMNS, type TableName } from './tables';

const cache = new Map<string, string>();
/** Texts kept at most: batch sizes and tables are few, but a caller could ask for any count. */
const CACHED_TEXTS = 2000;

/**
 * A multi-row INSERT for SQLite with a placeholder a value (better-sqlite3 binds numbers as they
 * are), for `count` rows of `table`. `upsert` adds ON CONFLICT (id) DO UPDATE of every column but
 * the id. The text is cached, so better-sqlite3's statement cache finds it again.
 */
export function placeholderInsertText(table: TableName, count: number, upsert: boolean): string {
  const key = `${table}:${count}:${upsert}`;
  let sql = cache.get(key);
  if (sql) return sql;
  const columns = TABLE_COLUMNS[table].map((c) => c.name);
  const tuple = `(${columns.map(() => '?').join(',')})`;
  sql = `INSERT INTO ${table} (${columns.join(',')}) VALUES ${new Array<string>(count).fill(tuple).join(',')}`;
  if (upsert) {
    sql += ` ON CONFLICT(id) DO UPDATE SET ${columns
      .slice(1)
      .map((c) => `${c}=excluded.${c}`)
      .join(',')}`;
  }
  if (cache.size < CACHED_TEXTS) cache.set(key, sql);
  return sql;
}
