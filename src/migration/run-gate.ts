import { Injectable } from '@nestjs/common';
import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import { TableLocksService, type TableLease, type WriteLease } from '../database/table-locks.service';
import type { TableName } from '../database/tables';
import { InterruptedRunsService } from './interrupted-runs.service';
import { MigrationRunsRepository, type NewRun } from './repositories/migration-runs.repository';

/**
 * Starts a run only when no restore holds its table (409 TABLE_BUSY otherwise). The run row is
 * committed before the check across replicas, so a restore starting meanwhile sees the run; a run
 * refused at that point is ended as failed with the reason.
 */
@Injectable()
export class RunGate {
  constructor(
    private readonly locks: TableLocksService,
    private readonly runs: MigrationRunsRepository,
    private readonly endings: InterruptedRunsService,
  ) {}

  async start(newRun: NewRun): Promise<{ run: MigrationRunEntity; lease: TableLease }> {
    const lease = this.locks.beginWrite(newRun.table);
    try {
      const run = await this.runs.createRun(newRun);
      try {
        await lease.confirm();
      } catch (error) {
        const reason = error instanceof Error ? error.message : 'refused';
        await this.endings.finish(run.id, { status: 'failed', error: reason, headerSkipped: false });
        throw error;
      }
      return { run, lease };
    } catch (error) {
      await lease.release();
      throw error;
    }
  }

  /** For a run created beforehand (queued by an async upload), when its load begins. */
  async enter(run: MigrationRunEntity): Promise<TableLease> {
    const table = run.tableName as TableName;
    let lease: WriteLease | undefined;
    try {
      lease = this.locks.beginWrite(table);
      await lease.confirm();
      return lease;
    } catch (error) {
      await lease?.release();
      const reason = error instanceof Error ? error.message : 'refused';
      await this.endings.finish(run.id, { status: 'failed', error: reason, headerSkipped: false });
      throw error;
    }
  }
}
