import type { TableName } from '../database/tables';

/**
 * Every lease the replicas of one database share, by name. A name is at most 100 characters
 * (the key of coordination_leases).
 */
export const LeaseNames = {
  /** Held by the replica that loads run `runId` (or has it queued) until the run has ended. */
  run: (table: TableName, runId: number) => `run:${table}:${runId}`,
  /** The prefix of every run lease of `table`: what a restore looks for. */
  runsOf: (table: TableName) => `run:${table}:`,
  /** Held by the replica that restores `table`, for as long as the restore lasts. */
  restore: (table: TableName) => `restore:${table}`,
  /** Held by the one replica that leads `role` (the backup schedule). */
  leader: (role: string) => `lead:${role}`,
} as const;
