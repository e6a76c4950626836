import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Dialect, type NamedLock } from './dialect';

/**
 * One replica among those sharing a MySQL database leads a role (the backup schedule): the first
 * to take the role's named lock keeps it on a connection of its own for as long as it lives. Should
 * it die or lose that connection, the server frees the lock and the next replica to ask takes the
 * role over. On SQLite the one process that owns the file leads.
 */
@Injectable()
export class LeaderLock implements BeforeApplicationShutdown {
  private readonly logger = new Logger('LeaderLock');
  private readonly held = new Map<string, NamedLock>();

  constructor(private readonly dialect: Dialect) {}

  /** Whether this process leads `role` now, taking the role when no one holds it. */
  async lead(role: string): Promise<boolean> {
    if (this.held.has(role)) return true;
    try {
      const lock = await this.dialect.tryLock(`hr_lead_${role}`);
      if (!lock) return false;
      lock.onLost(() => {
        if (this.held.get(role) === lock) this.held.delete(role);
      });
      this.held.set(role, lock);
      this.logger.log(`This process now leads ${role}`, { role });
      return true;
    } catch (error) {
      this.logger.warn(`Could not ask who leads ${role}: ${error instanceof Error ? error.message : error}`);
      return false;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.held.values()].map((lock) => lock.release()));
    this.held.clear();
  }
}
