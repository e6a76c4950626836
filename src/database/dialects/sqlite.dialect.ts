import { DataSource, type QueryRunner } from 'typeorm';
import type { StoredValue } from '../mysql-statements';
import { placeholderInsertText } from '../sqlite-statements';
import type { TableName } from '../tables';
import { Dialect, type NamedLock, type SchemaTypes } from './dialect';

const SCHEMA: SchemaTypes = {
  datetime: 'DATETIME',
  autoId: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  boolean: 'BOOLEAN',
  false: '0',
  longText: 'TEXT',
  rawText: 'TEXT',
  tableOptions: '',
  foreignKeyTiming: '',
  indexForeignKeys: true,
  dropIndex: (index) => `DROP INDEX ${index}`,
};

export class SqliteDialect extends Dialect {
  readonly engine = 'sqlite';
  readonly parallelWrites = false;
  readonly sharedByProcesses = false;
  readonly shareLockHint = '';
  readonly schema = SCHEMA;
  jsonArrayLength(column: string): string {
    return `json_array_length(${column})`;
  }
  /** SQLite stores instants as 'YYYY-MM-DD HH:MM:SS.mmm' text in UTC: the first four characters. */
  yearOf(column: string): string {
    return `SUBSTR(${column}, 1, 4)`;
  }
  /** One process owns the file: its named locks are a set in memory. */
  private readonly held = new Set<string>();

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async insertRows(runner: QueryRunner, table: TableName, rows: readonly (readonly StoredValue[])[], upsert: boolean) {
    // better-sqlite3 binds numbers as they are: one placeholder a value, the text cached.
    const parameters: StoredValue[] = [];
    for (const row of rows) for (const value of row) parameters.push(value);
    await runner.query(placeholderInsertText(table, rows.length, upsert), parameters);
  }

  async bulkInsert(): Promise<number | null> {
    // One connection in the process, and prepared multi-row inserts are its fastest path already.
    return null;
  }

  async beginSnapshot(): Promise<void> {
    // Reads go to the read connection, which sees the last commit; no transaction is kept open on it.
  }

  async beginUnchecked(runner: QueryRunner): Promise<void> {
    await runner.startTransaction();
    await runner.query('PRAGMA defer_foreign_keys = ON');
  }

  async endUnchecked(): Promise<void> {
    // defer_foreign_keys ends with its transaction.
  }

  clockMs(): string {
    return "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
  }

  async tryLock(name: string): Promise<NamedLock | null> {
    if (this.held.has(name)) return null;
    this.held.add(name);
    return { release: async () => void this.held.delete(name), onLost: () => undefined };
  }

  async isLocked(name: string): Promise<boolean> {
    return this.held.has(name);
  }

  /**
   * TypeORM keeps one connection to SQLite, and a read sent on it while a batch or a restore holds a
   * transaction runs inside that transaction and sees its uncommitted rows; so reads get a second,
   * read-only connection to the same file, which WAL lets see the last commit while the writer
   * works. An in-memory database cannot be shared by a second connection.
   */
  async openReadConnection(): Promise<DataSource | null> {
    const options = this.dataSource.options;
    if (options.type !== 'better-sqlite3' || options.database === ':memory:') return null;
    const reader = new DataSource({
      type: 'better-sqlite3',
      database: options.database,
      entities: options.entities,
      readonly: true,
      fileMustExist: true,
      migrationsRun: false,
      synchronize: false,
      logging: false,
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('busy_timeout = 10000');
      },
    });
    await reader.initialize();
    return reader;
  }
}
