import { DataSource, type QueryRunner } from 'typeorm';
import { BatchTransaction } from '../database/batch-transaction';
import { isDuplicateKeyError, isLockError } from '../database/database-errors';
import { Dialect } from '../database/dialect';
import { LeaseLostError, LeaseStore, type Lease, type LeaseState, type OwnerGone } from './lease-store';

interface LeaseRow {
  name: string;
  owner: string;
  token: number | string;
  expired: number | string | boolean;
}

/**
 * Leases as rows of coordination_leases, in plain INSERT, UPDATE … WHERE and SELECT that every SQL
 * engine replicates: a standalone server, a Galera cluster, and the distributed engines alike.
 * Two replicas that change one lease at once conflict on its row: on one server one waits for the
 * other's row lock and then finds the token changed; on a Galera cluster the second to commit
 * fails certification (1213), and is told it did not get the lease.
 */
export class SqlLeaseStore extends LeaseStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: Dialect,
    private readonly transaction: BatchTransaction,
  ) {
    super();
  }

  private get clock(): string {
    return this.dialect.clockMs();
  }

  async take(name: string, owner: string, ttlMs: number, gone?: OwnerGone): Promise<Lease | null> {
    let state = (await this.read(name, true)).get(name);
    if (!state) {
      try {
        await this.transaction.run((runner) => this.create(runner, name, owner, ttlMs));
        return { name, owner, token: 1 };
      } catch (error) {
        if (isLockError(error)) return null;
        if (!isDuplicateKeyError(error)) throw error;
      }
      // Another replica created it meanwhile.
      state = (await this.read(name, true)).get(name);
      if (!state) return null;
    }
    const ownerGone = !state.expired && state.owner !== '' && (await gone?.(state.owner)) === true;
    if (!state.expired && !ownerGone) return null;
    // Taken over only if no one changed the lease since it was read (and, when only expiry allows it, still expired).
    const stillExpired = ownerGone ? '' : ` AND expires_at_ms < ${this.clock}`;
    const changed = await this.update(
      `UPDATE coordination_leases SET owner = ?, token = token + 1, expires_at_ms = ${this.clock} + ?, changes = changes + 1
        WHERE name = ? AND token = ?${stillExpired}`,
      [owner, ttlMs, name, state.token],
    );
    return changed ? { name, owner, token: state.token + 1 } : null;
  }

  async create(runner: QueryRunner, name: string, owner: string, ttlMs: number): Promise<Lease> {
    await runner.query(
      this.dialect.sql(
        `INSERT INTO coordination_leases (name, owner, token, expires_at_ms, changes) VALUES (?, ?, 1, ${this.clock} + ?, 0)`,
      ),
      [name, owner, ttlMs],
    );
    return { name, owner, token: 1 };
  }

  async renew(owner: string, ttlMs: number, held: readonly Lease[]): Promise<Lease[]> {
    if (held.length === 0) return [];
    const names = held.map((lease) => lease.name);
    const marks = names.map(() => '?').join(', ');
    await this.update(
      `UPDATE coordination_leases SET expires_at_ms = ${this.clock} + ?, changes = changes + 1
        WHERE owner = ? AND name IN (${marks})`,
      [ttlMs, owner, ...names],
    );
    const rows: LeaseRow[] = await this.query(
      this.dialect.causalRead(
        `SELECT name, owner, token, 0 AS expired FROM coordination_leases WHERE name IN (${marks})`,
      ),
      names,
    );
    const now = new Map(rows.map((row) => [row.name, row]));
    return held.filter((lease) => {
      const row = now.get(lease.name);
      return !row || row.owner !== owner || Number(row.token) !== lease.token;
    });
  }

  async release(lease: Lease): Promise<void> {
    await this.update(
      `UPDATE coordination_leases SET owner = '', expires_at_ms = 0, changes = changes + 1
        WHERE name = ? AND owner = ? AND token = ?`,
      [lease.name, lease.owner, lease.token],
    );
  }

  async read(prefix: string, exact = false): Promise<Map<string, LeaseState>> {
    const rows: LeaseRow[] = await this.query(
      this.dialect.causalRead(
        `SELECT name, owner, token, CASE WHEN expires_at_ms < ${this.clock} THEN 1 ELSE 0 END AS expired
          FROM coordination_leases WHERE ${exact ? 'name = ?' : "name LIKE ? ESCAPE '!' AND owner <> ''"}`,
      ),
      [exact ? prefix : `${prefix.replace(/[!%_]/g, '!$&')}%`],
    );
    return new Map(
      rows.map((row) => [
        row.name,
        { owner: row.owner, token: Number(row.token), expired: Number(row.expired) === 1 || row.owner === '' },
      ]),
    );
  }

  async fence(runner: QueryRunner, lease: Lease): Promise<void> {
    const result = await runner.query(
      this.dialect.sql(
        'UPDATE coordination_leases SET changes = changes + 1 WHERE name = ? AND owner = ? AND token = ?',
      ),
      [lease.name, lease.owner, lease.token],
      true,
    );
    if ((result.affected ?? 0) !== 1) throw new LeaseLostError(lease.name);
  }

  /**
   * An UPDATE in a transaction of its own (on SQLite's one connection, never inside a batch's);
   * false when it changed nothing or kept losing a commit conflict.
   */
  private async update(sql: string, parameters: unknown[]): Promise<boolean> {
    try {
      const affected = await this.transaction.run(
        async (runner) => (await runner.query(this.dialect.sql(sql), parameters, true)).affected ?? 0,
      );
      return affected > 0;
    } catch (error) {
      if (isLockError(error)) return false;
      throw error;
    }
  }

  private query<T>(sql: string, parameters: unknown[]): Promise<T> {
    return this.transaction.retrying(() => this.dataSource.query(this.dialect.sql(sql), parameters));
  }
}
