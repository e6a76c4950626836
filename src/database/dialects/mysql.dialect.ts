import { Readable } from 'node:stream';
import { createConnection, type Connection } from 'mysql2/promise';
import type { DataSource, QueryRunner } from 'typeorm';
import type { MysqlDataSourceOptions } from 'typeorm/driver/mysql/MysqlDataSourceOptions';
import {
  insertText,
  isReferenced,
  loadDataInto,
  loadDataStatement,
  loadDataText,
  loadDataTextOf,
  rowsOfLoadDataText,
  valuesText,
  type StoredValue,
} from '../mysql-statements';
import type { TableName } from '../tables';
import { Dialect, type EncodedRows, type NamedLock, type SchemaTypes, type SqlValue } from './dialect';

/**
 * Named locks are server-wide, so a name carries the database (hashed: names are at most 64
 * characters): `<name>_<first 20 hex digits of SHA1(DATABASE())>`.
 */
const LOCK_NAME = "CONCAT(?, '_', LEFT(SHA1(DATABASE()), 20))";

const SCHEMA: SchemaTypes = {
  datetime: 'DATETIME(3)',
  autoId: 'INT NOT NULL AUTO_INCREMENT PRIMARY KEY',
  boolean: 'TINYINT(1)',
  false: '0',
  longText: 'MEDIUMTEXT',
  rawText: 'MEDIUMTEXT',
  tableOptions: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
  foreignKeyTiming: '',
  indexForeignKeys: false,
  dropIndex: (index, table) => `DROP INDEX ${index} ON ${table}`,
};

/** Rows from which insertValues goes through LOAD DATA rather than one INSERT. */
export const LOAD_DATA_MIN_ROWS = 100;

/** MySQL and MariaDB. */
export class MysqlDialect extends Dialect {
  readonly engine = 'mysql';
  readonly parallelWrites = true;
  readonly sharedByProcesses = true;
  readonly shareLockHint = ' LOCK IN SHARE MODE';
  readonly schema = SCHEMA;
  jsonArrayLength(column: string): string {
    return `JSON_LENGTH(${column})`;
  }
  /** MySQL casts DATETIME to 'YYYY-MM-DD HH:MM:SS.mmm' text (stored in UTC): the first four characters. */
  yearOf(column: string): string {
    return `SUBSTR(${column}, 1, 4)`;
  }

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async insertRows(runner: QueryRunner, table: TableName, rows: readonly (readonly StoredValue[])[], upsert: boolean) {
    await runner.query(insertText(table, rows, upsert));
  }

  /**
   * Many rows (`LOAD_DATA_MIN_ROWS`) through LOAD DATA LOCAL INFILE where the server takes local
   * files and the rows hold no Buffer: the server parses far less than from INSERT text. Fewer rows,
   * as the reject log's entries of a batch mostly are, go in one INSERT with the values written
   * into its text, as mysql2 would escape them, in one pass: LOAD DATA's extra round trip and set-up
   * cost the server more than a few long values' parse.
   */
  override async insertValues(
    runner: QueryRunner,
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
  ): Promise<void> {
    if (rows.length === 0) return;
    const text =
      rows.length >= LOAD_DATA_MIN_ROWS && (await this.localFilesAllowed(runner)) ? loadDataTextOf(rows) : null;
    if (text !== null) {
      const result = await loadData(runner, loadDataInto(table, columns), Readable.from([Buffer.from(text, 'utf8')]));
      await refuseIncomplete(runner, result, rows.length);
      return;
    }
    await runner.query(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${valuesText(rows)}`);
  }

  /**
   * A table no other table references (the employees) gets its batches as the text LOAD DATA
   * reads, in a Buffer: outside the heap, and far less for the server to parse than INSERT text.
   * The others (small, and referenced, so REPLACE would delete rows others point at) get their
   * multi-row upsert text.
   */
  override encodeRows(table: TableName, rows: readonly (readonly StoredValue[])[]): EncodedRows {
    if (rows.length === 0) return { count: 0, rows: null };
    if (isReferenced(table)) return { count: rows.length, rows: insertText(table, rows, true) };
    return { count: rows.length, rows: Buffer.from(loadDataText(rows), 'utf8') };
  }

  /**
   * The employees through LOAD DATA LOCAL INFILE … REPLACE in the batch's transaction: REPLACE on a
   * table nothing references updates the row whose id exists, as the upsert does. Where the server
   * refuses local files, the same rows as a multi-row upsert.
   */
  override async upsertEncoded(runner: QueryRunner, table: TableName, encoded: EncodedRows): Promise<void> {
    if (encoded.count === 0) return;
    if (typeof encoded.rows === 'string') {
      await runner.query(encoded.rows);
      return;
    }
    const text = encoded.rows as Buffer;
    if (await this.localFilesAllowed(runner)) {
      const result = await loadData(runner, loadDataStatement(table, 'REPLACE'), Readable.from([text]));
      await refuseIncomplete(runner, result, encoded.count);
      return;
    }
    await runner.query(insertText(table, rowsOfLoadDataText(table, text.toString('utf8')), true));
  }

  /** Whether the server takes LOAD DATA LOCAL (`local_infile`), asked once. */
  private localFiles: boolean | undefined;
  private async localFilesAllowed(runner: QueryRunner): Promise<boolean> {
    if (this.localFiles === undefined) {
      const [{ allowed }]: { allowed: unknown }[] = await runner.query('SELECT @@local_infile AS allowed');
      this.localFiles = Number(allowed) === 1;
    }
    return this.localFiles;
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
    const result = await loadData(runner, loadDataStatement(table), Readable.from(text(), { objectMode: false }));
    // A batch that could not be read ends the file early: the rows so far are in, and must not stay.
    if (failure) throw failure.error;
    await refuseIncomplete(runner, result, sent);
    return sent;
  }

  async beginSnapshot(runner: QueryRunner): Promise<void> {
    await runner.startTransaction('REPEATABLE READ');
  }

  /**
   * Foreign keys unchecked, and on a standalone server unique checks off too: with both off, MariaDB
   * (10.6 and later) writes rows into a table that was empty when the transaction began as a bulk
   * insert (one undo record for the table, its indexes built by sorting), which is what a restore
   * into an emptied table does. InnoDB checks the primary key whatever the setting: a repeated id
   * still fails the statement, as a warning under LOAD DATA LOCAL, which the restore refuses. These
   * tables have no other unique key; MySQL only skips unique checks of secondary indexes. Not on a
   * Galera node: a bulk insert locks the whole table, which a cluster's replication is not built for.
   */
  async beginUnchecked(runner: QueryRunner): Promise<void> {
    await runner.query(this.cluster ? 'SET FOREIGN_KEY_CHECKS = 0' : 'SET FOREIGN_KEY_CHECKS = 0, UNIQUE_CHECKS = 0');
    await runner.startTransaction();
  }

  async endUnchecked(runner: QueryRunner): Promise<void> {
    try {
      await runner.query('SET FOREIGN_KEY_CHECKS = 1, UNIQUE_CHECKS = 1');
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

/** What LOAD DATA answers: rows affected, warnings, and "Records: n  Deleted: n  Skipped: n  Warnings: n". */
interface LoadDataResult {
  affectedRows: number;
  warningStatus: number;
  info?: string;
}

/** The part of mysql2's callback connection (TypeORM's `databaseConnection`) that LOAD DATA uses. */
interface LoadDataConnection {
  query(
    options: { sql: string; infileStreamFactory: () => Readable },
    callback: (error: Error | null, result: LoadDataResult) => void,
  ): void;
}

/** Runs a LOAD DATA LOCAL INFILE statement on the runner's connection, its file read from `file`. */
function loadData(runner: QueryRunner, sql: string, file: Readable): Promise<LoadDataResult> {
  const connection = (runner as unknown as { databaseConnection: LoadDataConnection }).databaseConnection;
  return new Promise<LoadDataResult>((resolve, reject) =>
    connection.query({ sql, infileStreamFactory: () => file }, (error, done) =>
      error ? reject(error) : resolve(done),
    ),
  );
}

/**
 * Fails a LOAD DATA that did not take every one of its `sent` rows as it is: a warning (a value
 * adjusted, a row skipped for a repeated id or a missing reference) fails it with the error an
 * INSERT of the same rows would have raised. REPLACE counts a replaced row twice in `affectedRows`,
 * so the records and skipped counts of `info` are read where the server gives them.
 */
async function refuseIncomplete(runner: QueryRunner, result: LoadDataResult, sent: number): Promise<void> {
  const info = /Records:\s*(\d+)\s+Deleted:\s*(\d+)\s+Skipped:\s*(\d+)/.exec(result.info ?? '');
  const complete = info ? Number(info[1]) === sent && Number(info[3]) === 0 : result.affectedRows === sent;
  if (result.warningStatus === 0 && complete) return;
  const [warning]: { Code: number; Message: string }[] = await runner.query('SHOW WARNINGS LIMIT 1');
  throw loadDataError(warning?.Code);
}

/** The error an INSERT would have failed with, for LOAD DATA's first warning. */
function loadDataError(code: number | undefined): Error {
  // 1062: duplicate entry; 1452: a referenced row does not exist.
  if (code === 1062) return Object.assign(new Error('Duplicate entry'), { code: 'ER_DUP_ENTRY', errno: 1062 });
  if (code === 1452 || code === 1216)
    return Object.assign(new Error('A referenced row does not exist'), { code: 'ER_NO_REFERENCED_ROW_2', errno: 1452 });
  return Object.assign(new Error('A value could not be stored as it is'), {
    code: 'ER_LOAD_DATA_WARNING',
    errno: code,
  });
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
