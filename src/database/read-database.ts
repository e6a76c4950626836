import { Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createDialect, Dialect } from './dialect';

/** The connection reads go through, so that they see only committed rows (see Dialect.openReadConnection). */
export class ReadDatabase implements OnApplicationShutdown {
  private constructor(
    readonly dataSource: DataSource,
    private readonly own: boolean,
  ) {}

  /** Opens the read connection; `main` must be initialized, its schema migrations run. */
  static async open(main: DataSource, dialect: Dialect = createDialect(main)): Promise<ReadDatabase> {
    const reader = await dialect.openReadConnection();
    return reader ? new ReadDatabase(reader, true) : new ReadDatabase(main, false);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.own && this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: ReadDatabase,
      inject: [DataSource, Dialect],
      useFactory: (main: DataSource, dialect: Dialect) => ReadDatabase.open(main, dialect),
    },
  ],
  exports: [ReadDatabase],
})
export class ReadDatabaseModule {}
