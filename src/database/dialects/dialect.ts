import type { DataSource, QueryRunner } from 'typeorm';
import type { StoredValue } from '../mysql-statements';
import type { TableName } from '../tables';

/** The engines the service runs on; a new one is a new case in createDialect's switch. */
export type Engine = 'sqlite' | 'mysql' | 'postgres';

/** A named lock held on a connection of its own: until released, or until that connection dies. */
export interface NamedLock {
  release(): Promise<void>;
  /** Called once if the connection holding the lock is lost (the lock is then free). */
  onLost(listener: () => void): void;
}

/** The column types and table clauses the schema migrations write, per engine. */
export interface SchemaTypes {
  /** An instant in UTC with milliseconds. */
  datetime: string;
  /** An integer primary key numbered by the database. */
  autoId: string;
  boolean: string;
  /** The literal of false, for column defaults. */
  false: string;
  /** Text that may exceed 64 KB (the reject log). */
  longText: string;
  /** A rejected line's text exactly as sent, NUL included, of any length. */
  rawText: string;
  /** What follows a CREATE TABLE's closing parenthesis. */
  tableOptions: string;
  /** What follows a foreign key clause, so that a restore may check the keys at its commit. */
  foreignKeyTiming: string;
  /** Whether foreign key columns need an index of their own (MySQL makes one by itself). */
  indexForeignKeys: boolean;
  /** DROP INDEX of `index` on `table`. */
  dropIndex(index: string, table: string): string;
}

/**
 * One class per engine behind this interface (sqlite.dialect.ts, mysql.dialect.ts,
 * postgres.dialect.ts), made by createDialect. Repositories, services and migrations ask it, never
 * the driver's name.
 */
/** A value of a row `insertValues` writes. */
export type SqlValue = string | number | boolean | Buffer | null;

/** A batch's rows as a dialect sends them (`Dialect.encodeRows`): how many, and in what form. */
export interface EncodedRows {
  readonly count: number;
  /** The rows, or the dialect's own form of them (MySQL: the text LOAD DATA reads). */
  readonly rows: unknown;
}

export abstract class Dialect {
  abstract readonly engine: Engine;
  /** Whether transactions can run side by side (one connection each; SQLite: one connection in all). */
  abstract readonly parallelWrites: boolean;
  /** Whether other processes (replicas) may work on the same database at the same time. */
  abstract readonly sharedByProcesses: boolean;
  /** What ends a read that must wait for the rows a transaction is still committing or rolling back. */
  abstract readonly shareLockHint: string;
  abstract readonly schema: SchemaTypes;
  /** SQL for the number of elements of a JSON array held in a text column. */
  abstract jsonArrayLength(column: string): string;
  /** SQL for the UTC year of an instant column, as a number or its text. */
  abstract yearOf(column: string): string;

  /**
   * `sql` written with `?` placeholders, as this engine's driver takes them. Statements are written
   * once, with `?`, for every engine.
   */
  sql(sql: string): string {
    return sql;
  }

  /** A boolean as a query parameter. */
  booleanValue(value: boolean): boolean | number {
    return value ? 1 : 0;
  }

  /** A rejected line's text as a parameter for a `schema.rawText` column. */
  rawTextValue(text: string | null | undefined): string | Buffer | null {
    return text ?? null;
  }

  /** A `schema.rawText` column's value as read back. */
  rawTextOf(value: unknown): string | null {
    if (Buffer.isBuffer(value)) return value.toString('utf8');
    return typeof value === 'string' ? value : null;
  }

  /**
   * One multi-row INSERT of `rows` into `table`'s `columns` (any table: the run log's too), the
   * values as query parameters.
   */
  async insertValues(
    runner: QueryRunner,
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
  ): Promise<void> {
    if (rows.length === 0) return;
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const values = rows.map(() => tuple).join(', ');
    await runner.query(this.sql(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`), rows.flat());
  }

  /** One multi-row INSERT of `rows` into `table`; `upsert` updates the rows whose id exists. */
  abstract insertRows(
    runner: QueryRunner,
    table: TableName,
    rows: readonly (readonly StoredValue[])[],
    upsert: boolean,
  ): Promise<void>;

  /**
   * A batch's rows in the form `upsertEncoded` sends them, made as soon as the batch is checked so
   * that its row objects can go before the batch waits for a connection: a batch that waits with
   * its rows keeps them past young collections, and every such row is promoted, to be collected by
   * a full collection. By default the rows themselves.
   */
  encodeRows(table: TableName, rows: readonly (readonly StoredValue[])[]): EncodedRows {
    return { count: rows.length, rows };
  }

  /** Inserts the encoded rows, updating those whose id exists: one statement for the batch. */
  async upsertEncoded(runner: QueryRunner, table: TableName, encoded: EncodedRows): Promise<void> {
    if (encoded.count === 0) return;
    await this.insertRows(runner, table, encoded.rows as readonly (readonly StoredValue[])[], true);
  }

  /**
   * Writes every row of `batches` into `table`, which holds none of their ids, through the engine's
   * bulk path (MySQL: LOAD DATA LOCAL INFILE; PostgreSQL: COPY), in `runner`'s open transaction; a
   * repeated id fails it as a multi-row INSERT would. Returns the rows written, or null when the
   * engine has no bulk path here (nothing was read from `batches` then): the caller inserts them
   * itself.
   */
  abstract bulkInsert(
    runner: QueryRunner,
    table: TableName,
    batches: AsyncIterable<readonly (readonly StoredValue[])[]>,
  ): Promise<number | null>;

  /** Starts on `runner` a transaction whose reads form one snapshot, where the engine needs one. */
  abstract beginSnapshot(runner: QueryRunner): Promise<void>;

  /**
   * Starts on `runner` a transaction in which foreign keys are not checked statement by statement
   * (rows can be deleted and written back); `endUnchecked` restores the checks on the connection.
   */
  abstract beginUnchecked(runner: QueryRunner): Promise<void>;
  abstract endUnchecked(runner: QueryRunner): Promise<void>;

  /** Takes the named lock `name` (unique to this database) now, or null when someone holds it. */
  abstract tryLock(name: string): Promise<NamedLock | null>;
  abstract isLocked(name: string): Promise<boolean>;

  /** A second connection for reads that must see only committed rows, or null when the main one does. */
  abstract openReadConnection(): Promise<DataSource | null>;

  /** SQL for the database's clock, in milliseconds since 1970 (a BIGINT): the one clock leases use. */
  abstract clockMs(): string;

  /**
   * Whether the database is a cluster whose nodes do not share named locks (a MariaDB Galera
   * cluster: @@wsrep_on); once asked, `causalRead` waits for what other nodes committed.
   */
  async detectCluster(): Promise<boolean> {
    return false;
  }

  /** `select`, made to see every transaction the cluster committed before it (unchanged off a cluster). */
  causalRead(select: string): string {
    return select;
  }

  /** UTC 'YYYY-MM-DD HH:MM:SS.mmm', the form every engine stores and compares. */
  dateTime(date: Date): string {
    return date.toISOString().replace('T', ' ').replace('Z', '');
  }
}
