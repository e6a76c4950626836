import { Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { QueryRunner } from 'typeorm';
import { Dialect, type NamedLock } from '../database/dialect';
import { LeaseStore, type Lease } from './lease-store';

/** How long a lease lasts unless renewed, on the database's clock. */
export const LEASE_TTL_MS = 10_000;
/** How often the keeper renews: a lease survives two missed renewals. */
export const RENEW_EVERY_MS = LEASE_TTL_MS / 3;

/** How replicas that died are told apart from live ones, by engine. */
export type Liveness =
  /** One process owns the database (SQLite): a lease not held by this process is left from one that stopped. */
  | 'single-process'
  /**
   * A standalone MySQL/MariaDB server or PostgreSQL: each replica holds a named lock (PostgreSQL: a
   * session-level advisory lock), which the server frees the moment the replica dies.
   */
  | 'named-locks'
  /** Anything else, a Galera cluster first (named locks are local to a node): leases expire. */
  | 'expiry';

/**
 * Holds this replica's leases and renews them every RENEW_EVERY_MS, so that they expire only
 * LEASE_TTL_MS after the replica stops renewing (it died, paused, or lost the database). Says
 * whether the holder of a lease is gone sooner where the engine tells: on a standalone MySQL
 * server or PostgreSQL, by the replica's named lock (advisory lock); on SQLite, any holder but this process is gone.
 */
@Injectable()
export class LeaseKeeper implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Coordination');
  /** This replica, in every lease it holds: unique per process. */
  readonly owner = randomBytes(8).toString('hex');
  private readonly held = new Map<string, Lease>();
  private liveness: Liveness = 'single-process';
  private replicaLock: NamedLock | null = null;
  private timer: NodeJS.Timeout | null = null;
  private renewing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: LeaseStore,
    @Optional() private readonly dialect?: Dialect,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.dialect?.sharedByProcesses) return;
    this.liveness = (await this.dialect.detectCluster()) ? 'expiry' : 'named-locks';
    if (this.liveness === 'named-locks') await this.lockReplica();
    this.logger.log(
      `Replica ${this.owner} (${hostname()}, pid ${process.pid}); dead replicas found by ${this.liveness}`,
    );
    this.timer = setInterval(() => void this.renewNow(), RENEW_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.renewing;
    await Promise.all([...this.held.values()].map((lease) => this.release(lease).catch(() => undefined)));
    await this.replicaLock?.release();
  }

  /** How dead replicas are found on this database. */
  get mode(): Liveness {
    return this.liveness;
  }

  /** Takes `name` now (when free, expired, or its holder is gone), or null when a live replica holds it. */
  async take(name: string): Promise<Lease | null> {
    const mine = this.held.get(name);
    if (mine) return mine;
    const lease = await this.store.take(name, this.owner, LEASE_TTL_MS, (owner) => this.isGone(owner));
    if (lease) this.held.set(name, lease);
    return lease;
  }

  /** Creates `name` (never used before) in the transaction of `runner`; held from then on. */
  async create(runner: QueryRunner, name: string): Promise<Lease> {
    const lease = await this.store.create(runner, name, this.owner, LEASE_TTL_MS);
    this.held.set(name, lease);
    return lease;
  }

  /** Whether this replica still holds `lease` (as of the last renewal). */
  holds(lease: Lease): boolean {
    return this.held.get(lease.name) === lease;
  }

  async release(lease: Lease): Promise<void> {
    if (this.held.get(lease.name) === lease) this.held.delete(lease.name);
    await this.store.release(lease);
  }

  /** In a transaction: commits only while `lease` is held (LeaseLostError otherwise). */
  fence(runner: QueryRunner, lease: Lease): Promise<void> {
    return this.store.fence(runner, lease);
  }

  /** The names starting with `prefix` (one name when `exact`) whose lease a live replica holds. */
  async live(prefix: string, exact = false): Promise<string[]> {
    const live: string[] = [];
    for (const [name, state] of await this.store.read(prefix, exact)) {
      if (state.expired) continue;
      if (state.owner === this.owner ? this.held.has(name) : !(await this.isGone(state.owner))) live.push(name);
    }
    return live;
  }

  /** Renews every lease held now; those another replica took over are dropped. Never throws. */
  renewNow(): Promise<unknown> {
    const next = this.renewing.then(() => this.renewHeld());
    this.renewing = next;
    return next;
  }

  private async renewHeld(): Promise<void> {
    try {
      if (this.liveness === 'named-locks' && !this.replicaLock) await this.lockReplica();
      const lost = await this.store.renew(this.owner, LEASE_TTL_MS, [...this.held.values()]);
      for (const lease of lost) {
        if (this.held.get(lease.name) !== lease) continue;
        this.held.delete(lease.name);
        this.logger.warn(`Lost the lease ${lease.name} to another replica`);
      }
    } catch (error) {
      this.logger.warn(`Could not renew the leases: ${error instanceof Error ? error.message : error}`);
    }
  }

  private async isGone(owner: string): Promise<boolean> {
    if (owner === this.owner) return false;
    if (this.liveness === 'single-process') return true;
    if (this.liveness === 'expiry' || !this.dialect) return false;
    return !(await this.dialect.isLocked(replicaLockName(owner)));
  }

  private async lockReplica(): Promise<void> {
    const lock = await this.dialect?.tryLock(replicaLockName(this.owner));
    if (!lock) throw new Error(`The named lock of replica ${this.owner} is held by another connection`);
    lock.onLost(() => {
      if (this.replicaLock === lock) this.replicaLock = null;
    });
    this.replicaLock = lock;
  }
}

/** The named lock a replica holds on a standalone MySQL server or PostgreSQL for as long as it lives. */
function replicaLockName(owner: string): string {
  return `hr_replica_${owner}`;
}
