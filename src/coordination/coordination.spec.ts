import { ConsoleLogger, Logger } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import type { Dialect } from '../database/dialect';
import { Leader } from './leader';
import { LEASE_TTL_MS, LeaseKeeper } from './lease-keeper';
import { LeaseNames } from './lease-names';
import { LeaseLostError } from './lease-store';
import { MemoryLeaseStore } from './memory-lease-store';
import { TableGuard } from './table-guard';

/** Replicas sharing one database on a cluster: liveness by expiry alone (no named locks). */
const clusterDialect = {
  sharedByProcesses: true,
  parallelWrites: true,
  detectCluster: async () => true,
} as unknown as Dialect;
const runner = {} as QueryRunner;

describe('coordination across replicas (memory store)', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));
  let clock: number;
  let store: MemoryLeaseStore;
  let a: LeaseKeeper;
  let b: LeaseKeeper;

  beforeEach(async () => {
    clock = 1_000_000;
    store = new MemoryLeaseStore(() => clock);
    a = new LeaseKeeper(store, clusterDialect);
    b = new LeaseKeeper(store, clusterDialect);
    await a.onModuleInit();
    await b.onModuleInit();
  });
  afterEach(async () => {
    await a.onApplicationShutdown();
    await b.onApplicationShutdown();
  });

  it('should find dead replicas by expiry when the database is a cluster', () => {
    expect(a.mode).toBe('expiry');
  });

  it('should refuse a lease another live replica holds, and hand it over with a higher token once it expires', async () => {
    const held = await a.take('lead:x');
    expect(held).toMatchObject({ token: 1, owner: a.owner });
    await expect(b.take('lead:x')).resolves.toBeNull();
    clock += LEASE_TTL_MS - 1;
    await expect(b.take('lead:x')).resolves.toBeNull();
    clock += 2;
    await expect(b.take('lead:x')).resolves.toMatchObject({ token: 2, owner: b.owner });
  });

  it('should keep a renewed lease past its first expiry', async () => {
    await a.take('lead:x');
    for (let i = 0; i < 5; i++) {
      clock += LEASE_TTL_MS / 2;
      await a.renewNow();
    }
    await expect(b.take('lead:x')).resolves.toBeNull();
    await expect(b.live('lead:x', true)).resolves.toEqual(['lead:x']);
  });

  it('should refuse the commit of a replica paused past its lease once another took the lease over', async () => {
    const lease = await a.take(LeaseNames.run('jobs', 7));
    await expect(a.fence(runner, lease!)).resolves.toBeUndefined();
    clock += LEASE_TTL_MS + 1;
    const taken = await b.take(LeaseNames.run('jobs', 7));
    expect(taken?.token).toBe(2);
    await expect(a.fence(runner, lease!)).rejects.toBeInstanceOf(LeaseLostError);
    // Its next renewal tells it so.
    await a.renewNow();
    expect(a.holds(lease!)).toBe(false);
  });

  it('should let exactly one of two replicas lead, and the other take over when the leader stops renewing', async () => {
    const leaderA = new Leader(a);
    const leaderB = new Leader(b);
    await expect(leaderA.lead('backup_schedule')).resolves.toBe(true);
    await expect(leaderB.lead('backup_schedule')).resolves.toBe(false);
    clock += LEASE_TTL_MS + 1;
    await expect(leaderB.lead('backup_schedule')).resolves.toBe(true);
    // The first, back from a pause, learns at its next tick that it no longer leads.
    await expect(leaderA.lead('backup_schedule')).resolves.toBe(false);
  });

  it("should refuse a restore on one replica while another replica's run lease of the table is live", async () => {
    const guardB = new TableGuard(clusterDialect, b);
    await a.take(LeaseNames.run('hired_employees', 42));
    await expect(guardB.beginRestore('hired_employees')).rejects.toMatchObject({
      code: 'TABLE_BUSY',
      message: 'Migration run 42 is writing hired_employees; restore it when the run has ended',
    });
    // Other tables are free, and the refused restore left no lease behind.
    const other = await guardB.beginRestore('jobs');
    await other.release();
    await expect(b.live(LeaseNames.restore('hired_employees'), true)).resolves.toEqual([]);
  });

  it("should refuse a run on one replica while another replica's restore lease of the table is live", async () => {
    const guardA = new TableGuard(clusterDialect, a);
    const guardB = new TableGuard(clusterDialect, b);
    const restore = await guardB.beginRestore('hired_employees');
    const write = guardA.beginWrite('hired_employees');
    await expect(write.confirm()).rejects.toMatchObject({ code: 'TABLE_BUSY' });
    await write.release();
    await restore.release();
    const next = guardA.beginWrite('hired_employees');
    await expect(next.confirm()).resolves.toBeUndefined();
    await next.release();
  });
});
