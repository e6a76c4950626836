import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createConnection, type Connection } from 'mysql2/promise';
import type { TestDatabase } from '../support/test-database';

/** The SQL URLs of the cluster's nodes, comma-separated: what test/cluster/galera.sh start prints. */
export const TEST_GALERA_URLS_VARIABLE = 'TEST_GALERA_URLS';

export function galeraNodes(): string[] {
  const urls = process.env[TEST_GALERA_URLS_VARIABLE];
  if (!urls) throw new Error(`${TEST_GALERA_URLS_VARIABLE} is not set: run the cluster suite with test/cluster/ci.sh`);
  return urls.split(',').map((url) => url.trim());
}

/** One database of the cluster, reached through each node in turn. */
export interface ClusterDatabase {
  name: string;
  /** The database on node `n` (1-based), as a replica's DATABASE_URL. */
  on(n: number): TestDatabase;
  /** A connection to the database through node `n`, for reading counts back. */
  connect(n: number): Promise<Connection>;
  drop(): Promise<void>;
}

export async function createClusterDatabase(): Promise<ClusterDatabase> {
  const nodes = galeraNodes();
  const name = `hr_cluster_${randomBytes(6).toString('hex')}`;
  const admin = await createConnection({ uri: nodes[0] });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await admin.end();
  const urlOn = (n: number) => {
    const url = new URL(nodes[n - 1]);
    url.pathname = `/${name}`;
    return url.toString();
  };
  return {
    name,
    on: (n) => ({
      engine: 'mysql',
      url: urlOn(n),
      config: { type: 'mysql', url: urlOn(n) },
      drop: async () => undefined,
    }),
    connect: (n) => createConnection({ uri: urlOn(n) }),
    drop: async () => {
      for (const node of nodes) {
        try {
          const conn = await createConnection({ uri: node });
          await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
          await conn.end();
          return;
        } catch {
          // That node is down: another one drops it for the cluster.
        }
      }
    },
  };
}

/** test/cluster/galera.sh `command` `node`: kill a node (SIGKILL), or restart it and wait until it has rejoined. */
export function galera(command: 'kill' | 'restart', node: number): void {
  execFileSync(join(__dirname, 'galera.sh'), [command, String(node)], { stdio: 'inherit', timeout: 180_000 });
}

/** A count read through `conn`, after every transaction the cluster committed before it. */
export async function clusterCount(conn: Connection, sql: string, parameters: unknown[] = []): Promise<number> {
  const [rows] = await conn.query(`SET STATEMENT wsrep_sync_wait = 1 FOR SELECT COUNT(*) AS n FROM ${sql}`, parameters);
  return Number((rows as { n: number | string }[])[0].n);
}
