import { TABLE_COLUMNS } from '../database/tables';
import type { TableRow } from './backup-records';

/**
 * The distinct department and job ids of the hired employees being written, noted as the batches
 * go by; up to a bound, past which the table itself is asked.
 */
export class ReferencedIds {
  private readonly seen = { department_id: new Set<number>(), job_id: new Set<number>() };
  private readonly at = {
    department_id: TABLE_COLUMNS.hired_employees.findIndex((c) => c.name === 'department_id'),
    job_id: TABLE_COLUMNS.hired_employees.findIndex((c) => c.name === 'job_id'),
  };
  private overflow = false;

  /** `limit`: distinct ids per column kept at most. */
  constructor(private readonly limit = 100_000) {}

  async *watch(batches: AsyncIterable<TableRow[]>): AsyncGenerator<TableRow[]> {
    for await (const batch of batches) {
      if (!this.overflow) this.note(batch);
      yield batch;
    }
  }

  /** The ids noted for `column`, or undefined when there were too many to keep. */
  of(column: 'department_id' | 'job_id'): number[] | undefined {
    return this.overflow ? undefined : [...this.seen[column]];
  }

  private note(batch: TableRow[]): void {
    for (const column of ['department_id', 'job_id'] as const) {
      const seen = this.seen[column];
      const at = this.at[column];
      for (const row of batch) seen.add(row[at] as number);
      if (seen.size > this.limit) {
        this.overflow = true;
        this.seen.department_id.clear();
        this.seen.job_id.clear();
        return;
      }
    }
  }
}
