import type { DataSource } from 'typeorm';
import type { Dialect, Engine } from './dialect';
import { MysqlDialect } from './mysql.dialect';
import { PostgresDialect } from './postgres.dialect';
import { SqliteDialect } from './sqlite.dialect';

/** The engine a data source was configured for. */
export function engineOf(dataSource: DataSource): Engine {
  const type = dataSource.options.type;
  if (type === 'better-sqlite3') return 'sqlite';
  if (type === 'mysql') return 'mysql';
  if (type === 'postgres') return 'postgres';
  throw new Error(`unsupported database type ${type}`);
}

/** The one factory of dialects. No default case: an engine without its class fails type-checking. */
export function createDialect(dataSource: DataSource): Dialect {
  const engine = engineOf(dataSource);
  switch (engine) {
    case 'sqlite':
      return new SqliteDialect(dataSource);
    case 'mysql':
      return new MysqlDialect(dataSource);
    case 'postgres':
      return new PostgresDialect(dataSource);
  }
}
