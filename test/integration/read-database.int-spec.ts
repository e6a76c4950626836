import { DataSource } from 'typeorm';
import { buildDataSourceOptions, SQLITE_CHECKPOINT_PAGES } from '../../src/database/data-source';
import { ReadDatabase } from '../../src/database/read-database';
import { createTestDatabase, testEngines, type TestDatabase } from '../support/test-database';

describe('ReadDatabase', () => {
  it('should read through the main DataSource when SQLite is in memory', async () => {
    const main = new DataSource(buildDataSourceOptions({ type: 'sqlite', path: ':memory:' }));
    await main.initialize();
    try {
      const reads = await ReadDatabase.open(main);
      expect(reads.dataSource).toBe(main);
      await reads.onApplicationShutdown();
      expect(main.isInitialized).toBe(true);
    } finally {
      await main.destroy();
    }
  });

  it('should open a SQLite file in WAL mode, syncing at checkpoints, checkpointing every 20,000 pages', async () => {
    const db = await createTestDatabase('sqlite');
    const main = new DataSource(buildDataSourceOptions(db.config));
    await main.initialize();
    try {
      const pragma = async (name: string) => Object.values((await main.query(`PRAGMA ${name}`))[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(1); // NORMAL
      expect(await pragma('wal_autocheckpoint')).toBe(SQLITE_CHECKPOINT_PAGES);
    } finally {
      await main.destroy();
      await db.drop();
    }
  });

  describe.each(testEngines())('on %s', (engine) => {
    let db: TestDatabase;
    let main: DataSource;
    let reads: ReadDatabase;

    beforeAll(async () => {
      db = await createTestDatabase(engine);
      main = new DataSource(buildDataSourceOptions(db.config));
      await main.initialize();
      reads = await ReadDatabase.open(main);
    });
    afterAll(async () => {
      await reads.onApplicationShutdown();
      await main.destroy();
      await db.drop();
    });

    it('should use a read-only connection of its own on SQLite and the main DataSource on the others', async () => {
      if (engine !== 'sqlite') {
        expect(reads.dataSource).toBe(main);
        return;
      }
      expect(reads.dataSource).not.toBe(main);
      await expect(reads.dataSource.query("INSERT INTO departments (id, department) VALUES (1, 'x')")).rejects.toThrow(
        /readonly/,
      );
      await expect(main.query('SELECT COUNT(*) AS n FROM departments')).resolves.toEqual([{ n: 0 }]);
    });

    it('should close its own connection and leave the main one open when the application shuts down', async () => {
      const other = await ReadDatabase.open(main);
      await other.onApplicationShutdown();
      expect(other.dataSource.isInitialized).toBe(engine !== 'sqlite');
      expect(main.isInitialized).toBe(true);
    });
  });
});
