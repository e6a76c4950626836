import { Readable } from 'node:stream';
import { createConnection, type Connection } from 'mysql2/promise';
import { DataSource, type QueryRunner } from 'typeorm';
import type { MysqlDataSourceOptions } from 'typeorm/driver/mysql/MysqlDataSourceOptions';
import { insertText, loadDataStatement, loadDataText, type StoredValue } from './mysql-statements';
import { placeholderInsertText } from './sqlite-statements';
import type { TableName } from './tables';

/** A named lock held on a connection of its own: until released, or until that connection dies. */
export interface NamedLock {
  release(): Promise<void>;
  /** Called once if the connection holding the lock is lost (the lock is then free). */
  onLost(listener: () => void): void;
}

/**
 * The one place that knows how MySQL (MariaDB) and SQLite differ. Repositories and services ask it,
 * never the driver's name.
 */
export abstract class Dialect {
  /** Whether transactions can run side by side (MySQL: one connection each; SQLite: one connection in all). */
  abstract readonly parallelWrites: boolean;
  /** Whether other processes (replicas) may work on the same database at the same time. */
  abstract readonly sharedByProcesses: boolean;
  /** What ends a read that must wait for the rows a transaction is still committing or rolling back. */
  abstract readonly shareLockHint: string;
  /** SQL for the number of elements of a JSON array held in a text column. */
  abstract jsonArrayLength(column: string): string;

  /** One multi-row INSERT of `rows` into `table`; `upsert` updates the rows whose id exists. */
  abstract insertRows(
    runner: QueryRunner,
    table: TableName,
    rows: readonly (readonly StoredValue[])[],
    upsert: boolean,
  ): Promise<void>;

  /**
   * Writes every row of `batches` into `table`, which holds none of their ids, through the engine's
   * bulk path, in `runner`'s open transaction; a repeated id fails it as a multi-row INSERT would.
   * Returns the rows written, or null when the engine has no bulk path here (nothing was read from
   * `batches` then): the caller inserts them itself.
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

  /** UTC 'YYYY-MM-DD HH:MM:SS.mmm', the form both engines store and compare. */
  dateTime(date: Date): string {
    return date.toISOString().replace('T', ' ').replace('Z', '');
  }
}

export function createDialect(dataSource: DataSource): Dialect {
  return dataSource.options.type === 'better-sqlite3' ? new SqliteDialect(dataSource) : new MysqlDialect(dataSource);
}

/**
 * Named locks are server-wide, so a name carries the database (hashed: names are at most 64
 * characters): `<name>_<first 20 hex digits of SHA1(DATABASE())>`.
 */
const LOCK_NAME = "CONCAT(?, '_', LEFT(SHA1(DATABASE()), 20))";

class MysqlDialect extends Dialect {
  readonly parallelWrites = true;
  readonly sharedByProcesses = true;
  readonly shareLockHint = ' LOCK IN SHARE MODE';
  jsonArrayLength(column: string): string {
    return `JSON_LENGTH(${column})`;
  }

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async insertRows(runner: QueryRunner, table: TableName, rows: readonly (readonly StoredValue[])[], upsert: boolean) {
    await runner.query(insertText(table, rows, upsert));
  }

  /**
   * LOAD DATA LOCAL INFILE, the rows streamed from here as they come (mysql2's
   * `infileStreamFactory`): the server parses far less than from INSERT text. Where the server
   * refuses local files (`local_infile` off), null. With LOCAL the server cannot stop the stream,
   * so it turns a repeated id or a value it cannot store into a warning and skips or adjusts the
   * row; any warning therefore fails the load here, as the same rows would have failed an INSERT.
   */
  async bulkInsert(
    runner: QueryRunner,
    table: TableName,
    batches: AsyncIterable<readonly (readonly StoredValue[])[]>,
  ): Promise<number | null> {
    const [{ allowed }]: { allowed: unknown }[] = await runner.query('SELECT @@local_infile AS allowed');
    if (Number(allowed) !== 1) return null;
    const connection = (runner as unknown as { databaseConnection: LoadDataConnection }).databaseConnection;
    let sent = 0;
    let failure: { error: unknown } | undefined;
    const text = async function* (): AsyncGenerator<Buffer> {
      try {
        for await (const batch of batches) {
          sent += batch.length;
          if (batch.length > 0) yield Buffer.from(loadDataText(batch), 'utf8');
        }
      } catch (error) {
        failure = { error };
        throw error;
      }
    };
    const result = await new Promise<{ affectedRows: number; warningStatus: number }>((resolve, reject) =>
      connection.query(
        { sql: loadDataStatement(table), infileStreamFactory: () => Readable.from(text(), { objectMode: false }) },
        (error, done) => (error ? reject(error) : resolve(done)),
      ),
    );
    // A batch that could not be read ends the file early: the rows so far are in, and must not stay.
    if (failure) throw failure.error;
    if (result.warningStatus > 0 || result.affectedRows !== sent) {
      const [warning]: { Code: number; Message: string }[] = await runner.query('SHOW WARNINGS LIMIT 1');
      // 1062: duplicate entry; what a multi-row INSERT would have failed with.
      const duplicate = warning?.Code === 1062;
      throw Object.assign(new Error(duplicate ? 'Duplicate entry' : 'A value could not be stored as it is'), {
        code: duplicate ? 'ER_DUP_ENTRY' : 'ER_LOAD_DATA_WARNING',
        errno: warning?.Code,
      });
    }
    return sent;
  }

  async beginSnapshot(runner: QueryRunner): Promise<void> {
    await runner.startTransaction('REPEATABLE READ');
  }

  async beginUnchecked(runner: QueryRunner): Promise<void> {
    await runner.query('SET FOREIGN_KEY_CHECKS = 0');
    await runner.startTransaction();
  }

  async endUnchecked(runner: QueryRunner): Promise<void> {
    try {
      await runner.query('SET FOREIGN_KEY_CHECKS = 1');
    } catch {
      // A pooled connection left without its checks must not serve anyone again.
      (runner as unknown as { databaseConnection?: { destroy?: () => void } }).databaseConnection?.destroy?.();
    }
  }

  /** On a connection outside the pool: it is held as long as the lock, and its end frees the lock. */
  async tryLock(name: string): Promise<NamedLock | null> {
    const connection = await this.connect();
    try {
      const [rows] = await connection.query(`SELECT GET_LOCK(${LOCK_NAME}, 0) AS got`, [name]);
      if (Number((rows as { got: unknown }[])[0].got) === 1) return heldOn(connection, name);
    } catch (error) {
      connection.destroy();
      throw error;
    }
    await connection.end().catch(() => connection.destroy());
    return null;
  }

  async isLocked(name: string): Promise<boolean> {
    const [{ holder }] = await this.dataSource.query(`SELECT IS_USED_LOCK(${LOCK_NAME}) AS holder`, [name]);
    return holder !== null;
  }

  async openReadConnection(): Promise<DataSource | null> {
    // A pooled connection per query already sees only committed rows.
    return null;
  }

  clockMs(): string {
    return 'CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)';
  }

  private cluster = false;

  override async detectCluster(): Promise<boolean> {
    try {
      const [row] = await this.dataSource.query('SELECT @@wsrep_on AS wsrep');
      this.cluster = Number(row?.wsrep) === 1;
    } catch {
      // MySQL and servers built without wsrep have no such variable: not a Galera node.
      this.cluster = false;
    }
    return this.cluster;
  }

  /** A Galera node applies other nodes' commits a little later; wsrep_sync_wait waits for them. */
  override causalRead(select: string): string {
    return this.cluster ? `SET STATEMENT wsrep_sync_wait = 1 FOR ${select}` : select;
  }

  private connect(): Promise<Connection> {
    const options = this.dataSource.options as MysqlDataSourceOptions;
    return createConnection(
      options.url
        ? { uri: options.url, charset: options.charset }
        : {
            host: options.host,
            port: options.port,
            user: options.username,
            password: options.password,
            database: options.database,
            charset: options.charset,
          },
    );
  }
}

/** The part of mysql2's callback connection (TypeORM's `databaseConnection`) that LOAD DATA uses. */
interface LoadDataConnection {
  query(
    options: { sql: string; infileStreamFactory: () => Readable },
    callback: (error: Error | null, result: { affectedRows: number; warningStatus: number }) => void,
  ): void;
}

function heldOn(connection: Connection, name: string): NamedLock {
  let released = false;
  const lostListeners: (() => void)[] = [];
  const lost = () => {
    if (released) return;
    released = true;
    for (const listener of lostListeners) listener();
  };
  // Without a listener, a connection error would end the process.
  connection.on('error', lost);
  connection.on('end', lost);
  return {
    onLost: (listener) => lostListeners.push(listener),
    release: async () => {
      if (released) return;
      released = true;
      try {
        await connection.query(`DO RELEASE_LOCK(${LOCK_NAME})`, [name]);
        await connection.end();
      } catch {
        // Ending the connection frees its locks in any case.
        connection.destroy();
      }
    },
  };
}

class SqliteDialect extends Dialect {
  readonly parallelWrites = false;
  readonly sharedByProcesses = false;
  readonly shareLockHint = '';
  jsonArrayLength(column: string): string {
    return `json_array_length(${column})`;
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
