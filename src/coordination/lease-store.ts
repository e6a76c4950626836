import type { QueryRunner } from 'typeorm';

/** A lease held: `token` grows by one at every change of owner, so a stale holder can be told apart. */
export interface Lease {
  readonly name: string;
  readonly owner: string;
  readonly token: number;
}

/** A lease as stored: who holds it, and whether it has expired by the database's clock. */
export interface LeaseState {
  owner: string;
  token: number;
  expired: boolean;
}

/** Whether the replica `owner` is known to be gone before its leases expire. */
export type OwnerGone = (owner: string) => Promise<boolean>;

/** A lease's holder tried to write after another replica had taken the lease over. */
export class LeaseLostError extends Error {
  constructor(readonly lease: string) {
    super(`The lease ${lease} was taken over by another replica; nothing more is written under it`);
    this.name = 'LeaseLostError';
  }
}

/**
 * Where the replicas of one database keep their leases. Every change is a compare-and-set on the
 * lease's token, expiry is read on the database's clock (never a replica's), and `fence` runs
 * inside a transaction so that the transaction commits only if its lease is still held.
 */
export abstract class LeaseStore {
  /**
   * Takes `name` for `owner` for `ttlMs`: when no one holds it, when its lease has expired, or when
   * `gone` says its owner is gone. Null when another replica holds it.
   */
  abstract take(name: string, owner: string, ttlMs: number, gone?: OwnerGone): Promise<Lease | null>;

  /** Creates `name` inside the transaction of `runner` (a name never used before, such as a new run's). */
  abstract create(runner: QueryRunner, name: string, owner: string, ttlMs: number): Promise<Lease>;

  /** Extends the leases of `owner` by `ttlMs`; returns those of `held` that `owner` no longer holds. */
  abstract renew(owner: string, ttlMs: number, held: readonly Lease[]): Promise<Lease[]>;

  /** Lets `lease` go (it expires now; its token stays, so tokens only grow). */
  abstract release(lease: Lease): Promise<void>;

  /**
   * The lease `prefix` (`exact`), or the leases held now whose name starts with `prefix` (released
   * ones may be left out), as last committed.
   */
  abstract read(prefix: string, exact?: boolean): Promise<Map<string, LeaseState>>;

  /**
   * Inside a transaction: writes `lease`'s row, so the transaction commits only while `lease` is
   * held (a takeover commits first, or conflicts with it). Throws LeaseLostError otherwise.
   */
  abstract fence(runner: QueryRunner, lease: Lease): Promise<void>;
}
