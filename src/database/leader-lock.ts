import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';

/**
 * The named lock of a role, SQL with the role as its parameter. Named locks are server-wide, so the
 * name carries the database (hashed: names are at most 64 characters).
 */
const LOCK_NAME = "CONCAT('hr_lead_', ?, '_', LEFT(SHA1(DATABASE()), 20))";

/**
 * One replica among those sharing a MySQL database leads a role (the backup schedule): the first
 * to take the role's named lock (GET_LOCK) keeps it on a connection of its own for as long as it
 * lives. Should it die or lose that connection, the server frees the lock and the next replica to
 * ask takes the role over. On SQLite the one process that owns the file always leads.
 */
@Injectable()
export class LeaderLock implements BeforeApplicationShutdown {
  private readonly logger = new Logger('LeaderLock');
  private readonly held = new Map<string, QueryRunner>();

  constructor(private readonly dataSource: DataSource) {}

  /** Whether this process leads `role` now, taking the role when no one holds it. */
  async lead(role: string): Promise<boolean> {
    if (this.dataSource.options.type === 'better-sqlite3') return true;
    const holder = this.held.get(role);
    if (holder) {
      if (await this.stillHeld(holder, role)) return true;
      this.held.delete(role);
      await holder.release().catch(() => undefined);
    }
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [{ got }] = await runner.query(`SELECT GET_LOCK(${LOCK_NAME}, 0) AS got`, [role]);
      if (Number(got) === 1) {
        this.held.set(role, runner);
        this.logger.log(`This process now leads ${role}`, { role });
        return true;
      }
    } catch (error) {
      this.logger.warn(`Could not ask who leads ${role}: ${error instanceof Error ? error.message : error}`);
    }
    await runner.release().catch(() => undefined);
    return false;
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const [role, runner] of this.held) {
      await runner.query(`DO RELEASE_LOCK(${LOCK_NAME})`, [role]).catch(() => undefined);
      await runner.release().catch(() => undefined);
    }
    this.held.clear();
  }

  private async stillHeld(runner: QueryRunner, role: string): Promise<boolean> {
    try {
      const [{ mine }] = await runner.query(`SELECT IS_USED_LOCK(${LOCK_NAME}) = CONNECTION_ID() AS mine`, [role]);
      return Number(mine) === 1;
    } catch {
      return false;
    }
  }
}
