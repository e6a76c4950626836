import { Injectable } from '@nestjs/common';
import type { FileHandle } from 'node:fs/promises';
import { DomainError } from '../common/errors/domain-error';
import { DataChangeService } from '../database/data-change.service';
import { TableGuard } from '../coordination/table-guard';
import type { TableName } from '../database/tables';
import { Telemetry } from '../observability/telemetry.service';
import { BackupFilesService } from './backup-files.service';
import { readBackupRows, type BackupReadSummary } from './backup-row-reader';
import type { TableRow } from './backup-records';
import { BackupRepository } from './backup.repository';
import { assertTable } from './backup.service';

export interface RestoredBackup {
  table: TableName;
  file: string;
  rowsRestored: number;
}

/**
 * Replaces a table's rows with a backup's, in one transaction. A table with rows: the file is read
 * and checked completely first, outside any transaction, then read again into the transaction (if
 * it changed in between, that second read fails and the transaction rolls back). An empty table
 * has nothing to lose: the file is read once, checked as it is written, and any fault rolls back.
 * Both reads use one open file, so a backup deleted or pruned meanwhile is still restored whole.
 */
@Injectable()
export class RestoreService {
  /** Restores run one at a time in this process: SQLite has one connection, so transactions cannot overlap. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly files: BackupFilesService,
    private readonly repository: BackupRepository,
    private readonly dataChange: DataChangeService,
    private readonly locks: TableGuard,
    private readonly telemetry: Telemetry,
  ) {}

  restore(tableParam: string, requested: string | undefined): Promise<RestoredBackup> {
    const table = assertTable(tableParam);
    const run = this.queue.then(() =>
      this.telemetry.restore(table, requested, () => this.restoreNow(table, requested)),
    );
    // The queue only orders restores: a failed one answers its own request, and the next one runs.
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async restoreNow(table: TableName, requested: string | undefined): Promise<RestoredBackup> {
    const { file, handle } = await this.files.open(table, requested);
    try {
      return await this.restoreFrom(table, file, handle);
    } finally {
      await handle.close();
    }
  }

  private async restoreFrom(table: TableName, file: string, handle: FileHandle): Promise<RestoredBackup> {
    let rows: AsyncIterable<TableRow[]>;
    let idsAscending = false;
    if (await this.repository.hasRows(table)) {
      const checked = await this.check(table, file, handle);
      rows = this.unchangedRows(table, file, handle, checked);
      idsAscending = checked.idsAscending;
    } else {
      // Should rows arrive meanwhile, the repository finds them and replaces them all: still atomic.
      rows = readBackupRows(table, file, handle);
    }
    const lease = await this.locks.beginRestore(table);
    let rowsRestored: number;
    try {
      rowsRestored = await this.repository.replaceTable(table, rows, { idsAscending });
    } finally {
      await lease.release();
    }
    this.dataChange.changed(table);
    return { table, file, rowsRestored };
  }

  private async check(table: TableName, file: string, handle: FileHandle): Promise<BackupReadSummary> {
    const summary: Partial<BackupReadSummary> = {};
    for await (const _batch of readBackupRows(table, file, handle, summary)) {
      // Reading is the check; the rows are read again inside the transaction.
    }
    return summary as BackupReadSummary;
  }

  private async *unchangedRows(
    table: TableName,
    file: string,
    handle: FileHandle,
    checked: BackupReadSummary,
  ): AsyncGenerator<TableRow[]> {
    const summary: Partial<BackupReadSummary> = {};
    yield* readBackupRows(table, file, handle, summary);
    if (summary.sha256 !== checked.sha256) {
      throw new DomainError('BACKUP_FILE_CORRUPT', `The backup ${file} changed while it was being restored`);
    }
  }
}
