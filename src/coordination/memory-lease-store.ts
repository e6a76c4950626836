import { LeaseLostError, LeaseStore, type Lease, type LeaseState, type OwnerGone } from './lease-store';

interface Row {
  owner: string;
  token: number;
  expiresAt: number;
}

/**
 * Leases in memory, with the same compare-and-set rules as the rows of SqlLeaseStore, on a clock
 * the caller sets: for unit tests of what builds on leases.
 */
export class MemoryLeaseStore extends LeaseStore {
  private readonly rows = new Map<string, Row>();

  constructor(public now: () => number = () => Date.now()) {
    super();
  }

  async take(name: string, owner: string, ttlMs: number, gone?: OwnerGone): Promise<Lease | null> {
    const row = this.rows.get(name);
    if (!row) return this.put(name, owner, 1, ttlMs);
    const token = row.token;
    const expired = row.expiresAt < this.now() || row.owner === '';
    if (!expired && !(await gone?.(row.owner))) return null;
    // Compare and set: the lease must not have changed while `gone` was asked.
    if (this.rows.get(name)?.token !== token) return null;
    return this.put(name, owner, token + 1, ttlMs);
  }

  async create(_runner: unknown, name: string, owner: string, ttlMs: number): Promise<Lease> {
    if (this.rows.has(name)) throw new Error(`The lease ${name} exists`);
    return this.put(name, owner, 1, ttlMs);
  }

  async renew(owner: string, ttlMs: number, held: readonly Lease[]): Promise<Lease[]> {
    const lost: Lease[] = [];
    for (const lease of held) {
      const row = this.rows.get(lease.name);
      if (row?.owner === owner) row.expiresAt = this.now() + ttlMs;
      if (!row || row.owner !== owner || row.token !== lease.token) lost.push(lease);
    }
    return lost;
  }

  async release(lease: Lease): Promise<void> {
    const row = this.rows.get(lease.name);
    if (row && row.owner === lease.owner && row.token === lease.token) {
      row.owner = '';
      row.expiresAt = 0;
    }
  }

  async read(prefix: string, exact = false): Promise<Map<string, LeaseState>> {
    const found = new Map<string, LeaseState>();
    for (const [name, row] of this.rows) {
      if (exact ? name !== prefix : !name.startsWith(prefix)) continue;
      found.set(name, { owner: row.owner, token: row.token, expired: row.expiresAt < this.now() || row.owner === '' });
    }
    return found;
  }

  async fence(_runner: unknown, lease: Lease): Promise<void> {
    const row = this.rows.get(lease.name);
    if (!row || row.owner !== lease.owner || row.token !== lease.token) throw new LeaseLostError(lease.name);
  }

  private put(name: string, owner: string, token: number, ttlMs: number): Lease {
    this.rows.set(name, { owner, token, expiresAt: this.now() + ttlMs });
    return { name, owner, token };
  }
}
