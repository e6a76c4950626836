import { Injectable, Logger } from '@nestjs/common';
import { LeaseKeeper } from './lease-keeper';
import { LeaseNames } from './lease-names';
import type { Lease } from './lease-store';

/**
 * One replica among those sharing a database leads a role (the backup schedule): the one holding
 * the role's lease, which the keeper renews for as long as the replica lives. Should it die, its
 * lease expires (at once on a standalone server or SQLite) and the next replica to ask leads.
 */
@Injectable()
export class Leader {
  private readonly logger = new Logger('Coordination');
  private readonly leading = new Map<string, Lease>();

  constructor(private readonly keeper: LeaseKeeper) {}

  /** Whether this replica leads `role` now, taking the role when no live replica holds it. */
  async lead(role: string): Promise<boolean> {
    try {
      const held = this.leading.get(role);
      // Renewed first: a replica that was paused past its lease finds out here that another leads now.
      if (held) await this.keeper.renewNow();
      if (held && this.keeper.holds(held)) return true;
      const lease = await this.keeper.take(LeaseNames.leader(role));
      if (!lease) return false;
      if (held !== lease) this.logger.log(`This replica now leads ${role}`, { role });
      this.leading.set(role, lease);
      return true;
    } catch (error) {
      this.logger.warn(`Could not ask who leads ${role}: ${error instanceof Error ? error.message : error}`);
      return false;
    }
  }
}
