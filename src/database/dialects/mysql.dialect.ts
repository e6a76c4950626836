import { Readable } from 'node:stream';
import { createConnection, type Connection } from 'mysql2/promise';
import type { DataSource, QueryRunner } from 'typeorm';
import type { MysqlDataSourceOptions } from 'typeorm/driver/mysql/MysqlDataSourceOptions';
import { insertText, loadDataStatement, loadDataText, type StoredValue } from '../mysql-statements';
import type { TableName } from '../tables';
import { Dialect, type NamedLock, type SchemaTypes } from './dialect';

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
