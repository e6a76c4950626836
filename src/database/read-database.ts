import { Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * The connection reads go through, so that they see only committed rows. TypeORM keeps one
 * connection to SQLite, and a read sent on it while a batch or a restore holds a transaction runs
 * inside that transaction and sees its uncommitted rows; so on SQLite reads get a second, read-only
 * connection to the same file, which WAL lets see the last commit while the writer works. MySQL
 * takes a pooled connection per query already: there it is the main DataSource. So is an in-memory
 * SQLite database, which a second connection cannot share.
 */
export class ReadDatabase implements OnApplicationShutdown {
  private constructor(
    readonly dataSource: DataSource,
    private readonly own: boolean,
  ) {}

  /** Opens the read connection; `main` must be initialized, its schema migrations run. */
  static async open(main: DataSource): Promise<ReadDatabase> {
    const options = main.options;
    if (options.type !== 'better-sqlite3' || options.database === ':memory:') return new ReadDatabase(main, false);
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
    return new ReadDatabase(reader, true);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.own && this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

@Global()
@Module({
  providers: [
    { provide: ReadDatabase, inject: [DataSource], useFactory: (main: DataSource) => ReadDatabase.open(main) },
  ],
  exports: [ReadDatabase],
})
export class ReadDatabaseModule {}
