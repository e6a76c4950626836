import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import type { DatabaseConfig } from '../../src/config/app-config';

export type Engine = 'sqlite' | 'mysql' | 'postgres';

/** The variable that turns on the MySQL/MariaDB half of the suite, e.g. mysql://root@127.0.0.1:3306 */
export const TEST_MYSQL_URL_VARIABLE = 'TEST_MYSQL_URL';

/** The variable that turns on the PostgreSQL half of the suite, e.g. postgres://postgres@127.0.0.1:5432 */
export const TEST_POSTGRES_URL_VARIABLE = 'TEST_POSTGRES_URL';

/** SQLite always; MySQL/MariaDB and PostgreSQL too when their variables are set. Use with describe.each. */
export function testEngines(): Engine[] {
  const engines: Engine[] = ['sqlite'];
  if (process.env[TEST_MYSQL_URL_VARIABLE]) engines.push('mysql');
  if (process.env[TEST_POSTGRES_URL_VARIABLE]) engines.push('postgres');
  return engines;
}

/** The engines that several processes can share (every one but SQLite), as testEngines has them. */
export function sharedEngines(): Engine[] {
  return testEngines().filter((engine) => engine !== 'sqlite');
}

export interface TestDatabase {
  engine: Engine;
  config: DatabaseConfig;
  /** The DATABASE_URL a child process would use for this database. */
  url: string;
  drop(): Promise<void>;
}

/** A throwaway database: a temporary SQLite file, or a fresh MySQL or PostgreSQL database with a random name. */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'hr-test-'));
    const path = join(dir, 'test.sqlite');
    return {
      engine,
      config: { type: 'sqlite', path },
      url: `sqlite:${path}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (engine === 'postgres') return createPostgresDatabase();
  const server = process.env[TEST_MYSQL_URL_VARIABLE];
  if (!server) throw new Error(`${TEST_MYSQL_URL_VARIABLE} is not set`);
  const base = new URL(server);
  base.pathname = '';
  const name = `hr_test_${randomBytes(6).toString('hex')}`;
  const admin = await createConnection({ uri: base.toString() });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    engine,
    config: { type: 'mysql', url: url.toString() },
    url: url.toString(),
    drop: async () => {
      const conn = await createConnection({ uri: base.toString() });
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}

async function createPostgresDatabase(): Promise<TestDatabase> {
  const server = process.env[TEST_POSTGRES_URL_VARIABLE];
  if (!server) throw new Error(`${TEST_POSTGRES_URL_VARIABLE} is not set`);
  const base = new URL(server);
  base.pathname = '/postgres';
  const name = `hr_test_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: base.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`);
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    engine: 'postgres',
    config: { type: 'postgres', url: url.toString() },
    url: url.toString(),
    // WITH (FORCE) ends the sessions a killed service process may have left behind.
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
