import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { isDuplicateKeyError } from '../database/database-errors';
import { ReadDatabase } from '../database/read-database';
import { Dialect } from '../database/dialect';
import type { StoredValue } from '../database/mysql-statements';
import { TABLE_COLUMNS, type TableName } from '../database/tables';
import { toEpochMillis, toStoredDatetime, type TableRow } from './backup-records';
import { ReferencedIds } from './referenced-ids';

/** Rows per keyset page of a backup read. */
export const READ_PAGE_SIZE = 5000;

/** All SQL of backups and restores: keyset reads of a table and its atomic replacement. */
@Injectable()
export class BackupRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reads: ReadDatabase,
    private readonly dialect: Dialect,
  ) {}

  /**
   * The table's rows in id order, one page at a time (`WHERE id > ? ORDER BY id LIMIT ?`), on the
   * read connection, so no uncommitted row gets in. On MySQL the pages are read in one REPEATABLE
   * READ transaction, so they form one snapshot.
   */
  async *readPages(table: TableName, pageSize = READ_PAGE_SIZE): AsyncGenerator<Record<string, unknown>[]> {
    const columns = TABLE_COLUMNS[table].map((c) => c.name).join(', ');
    const sql = this.dialect.sql(`SELECT ${columns} FROM ${table} WHERE id > ? ORDER BY id LIMIT ${Number(pageSize)}`);
    const runner = this.reads.dataSource.createQueryRunner();
    let next: Promise<Record<string, unknown>[]> | undefined;
    try {
      await this.dialect.beginSnapshot(runner);
      next = runner.query(sql, [0]);
      while (next) {
        const page: Record<string, unknown>[] = await next;
        // The next page is read while this one is encoded.
        next = page.length === pageSize ? runner.query(sql, [Number(page[page.length - 1].id)]) : undefined;
        if (page.length > 0) yield page;
      }
      if (runner.isTransactionActive) await runner.commitTransaction();
    } finally {
      // A read that failed has already failed the backup through the write path; only wait for it here.
      await next?.catch(() => undefined);
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  }

  /**
   * Replaces every row of `table` with `batches`, in one transaction. Foreign keys are checked
   * once, by one query, before the commit: MySQL's checks are off on this connection for the
   * duration (so departments can be deleted and written back), SQLite's are deferred to the
   * commit. A failure anywhere, including in `batches`, rolls everything back. Returns the number
   * of rows written.
   *
   * `idsAscending` (every id greater than the one before, so none repeats) allows a merge that
   * writes only what differs, much cheaper than rewriting every row and index entry when a table
   * is brought back from recent changes: per batch, read the table's rows in the batch's id range,
   * delete those the batch lacks, upsert new and changed rows. Otherwise: DELETE everything, then
   * one multi-row INSERT per batch. Into a table found empty, only the inserts.
   */
  async replaceTable(
    table: TableName,
    batches: AsyncIterable<TableRow[]>,
    options: { idsAscending: boolean } = { idsAscending: false },
  ): Promise<number> {
    const references = table === 'hired_employees' ? new ReferencedIds() : undefined;
    if (references) batches = references.watch(batches);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await this.dialect.beginUnchecked(runner);
      let written: number;
      if (!(await this.hasRows(table, runner))) {
        written = await this.insertAll(runner, table, batches, options.idsAscending);
      } else if (options.idsAscending) {
        written = await this.mergeInIdOrder(runner, table, batches);
      } else {
        await runner.query(`DELETE FROM ${table}`);
        written = await this.insertAll(runner, table, batches, false);
      }
      await this.assertNoOrphans(runner, table, references);
      await runner.commitTransaction();
      return written;
    } catch (error) {
      // On a broken connection the server has rolled back already; the original error is what matters.
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw duplicateIdError(error) ?? error;
    } finally {
      await this.dialect.endUnchecked(runner);
      await runner.release();
    }
  }

  /**
   * Whether the table holds any row: as the read connection sees it (committed rows), or inside
   * `runner`'s transaction.
   */
  async hasRows(table: TableName, runner?: QueryRunner): Promise<boolean> {
    const rows: unknown[] = await (runner ?? this.reads.dataSource).query(`SELECT id FROM ${table} LIMIT 1`);
    return rows.length > 0;
  }

  /**
   * Nothing read: the table holds none of the ids. Unique ids (`upsert`) are upserted, one
   * multi-row statement per batch, so that rows another writer adds meanwhile are overwritten, not
   * a failure. Otherwise a repeated id fails the restore, and the rows go through the engine's bulk
   * path where it has one (MySQL: LOAD DATA LOCAL INFILE), else one multi-row INSERT per batch.
   */
  private async insertAll(runner: QueryRunner, table: TableName, batches: AsyncIterable<TableRow[]>, upsert: boolean) {
    if (!upsert) {
      const written = await this.dialect.bulkInsert(runner, table, storedBatches(table, batches));
      if (written !== null) return written;
    }
    const ahead = new WriteAhead();
    let written = 0;
    for await (const batch of batches) {
      if (batch.length === 0) continue;
      await ahead.send(this.insertBatch(runner, table, batch, upsert));
      written += batch.length;
    }
    await ahead.settle();
    return written;
  }

  private async mergeInIdOrder(runner: QueryRunner, table: TableName, batches: AsyncIterable<TableRow[]>) {
    const ahead = new WriteAhead();
    let written = 0;
    let previous: number | undefined;
    for await (const batch of batches) {
      if (batch.length === 0) continue;
      await ahead.send((await this.mergeBatch(runner, table, batch, previous)).write);
      written += batch.length;
      previous = batch[batch.length - 1][0] as number;
    }
    await ahead.settle();
    await (previous === undefined
      ? runner.query(`DELETE FROM ${table}`)
      : runner.query(this.dialect.sql(`DELETE FROM ${table} WHERE id > ?`), [previous]));
    return written;
  }

  /**
   * Makes the rows with ids in (previous, last id of the batch] equal to the batch: reads them,
   * deletes those the batch does not have, upserts only new or changed rows. A range holding far
   * more rows than the batch is not read: its rows are deleted by NOT IN and the batch upserted.
   * Returns the upsert, sent but not awaited.
   */
  private async mergeBatch(
    runner: QueryRunner,
    table: TableName,
    batch: TableRow[],
    previous: number | undefined,
  ): Promise<{ write?: Promise<void> }> {
    const last = batch[batch.length - 1][0] as number;
    const range = previous === undefined ? 'id <= ?' : 'id > ? AND id <= ?';
    const bounds = previous === undefined ? [last] : [previous, last];
    const limit = batch.length * 2 + 100;
    const existing: Record<string, unknown>[] = await runner.query(
      this.dialect.sql(`SELECT ${columnList(table)} FROM ${table} WHERE ${range} ORDER BY id LIMIT ${limit}`),
      bounds,
    );
    if (existing.length === limit) {
      const ids = batch.map((row) => row[0]);
      await runner.query(
        this.dialect.sql(`DELETE FROM ${table} WHERE ${range} AND id NOT IN (${placeholders(ids.length)})`),
        [...bounds, ...ids],
      );
      return { write: this.insertBatch(runner, table, batch, true) };
    }
    const current = new Map(existing.map((row) => [Number(row.id), row]));
    const changed = batch.filter((row) => !sameRow(table, current.get(row[0] as number), row));
    const kept = new Set(batch.map((row) => row[0] as number));
    const gone = [...current.keys()].filter((id) => !kept.has(id));
    if (gone.length > 0) {
      await runner.query(this.dialect.sql(`DELETE FROM ${table} WHERE id IN (${placeholders(gone.length)})`), gone);
    }
    return { write: changed.length > 0 ? this.insertBatch(runner, table, changed, true) : undefined };
  }

  private async insertBatch(runner: QueryRunner, table: TableName, rows: TableRow[], upsert: boolean): Promise<void> {
    await this.dialect.insertRows(runner, table, storedRows(table, rows), upsert);
  }

  /**
   * Do all hired employees still point at existing departments and jobs? When the hired employees
   * were just written, the values they reference were noted on the way and are looked up in the
   * small tables: reading the table back inside the transaction that wrote it would cost InnoDB a
   * visit to every new row. Otherwise one query per reference over the distinct values (MySQL reads
   * them off the column's index). The employees are counted only when some point nowhere.
   */
  private async assertNoOrphans(runner: QueryRunner, table: TableName, references?: ReferencedIds): Promise<void> {
    const checks: ('departments' | 'jobs')[] =
      table === 'hired_employees' ? ['departments', 'jobs'] : table === 'departments' ? ['departments'] : ['jobs'];
    for (const target of checks) {
      const column = target === 'departments' ? 'department_id' : 'job_id';
      const noted = references?.of(column);
      const example = noted
        ? await this.firstMissing(runner, target, noted)
        : await this.firstMissingReferenced(runner, target, column);
      if (example === undefined) continue;
      const [{ n }]: { n: number | string }[] = await runner.query(
        `SELECT COUNT(*) AS n FROM hired_employees e LEFT JOIN ${target} t ON t.id = e.${column} WHERE t.id IS NULL`,
      );
      const orphans = Number(n);
      const who = orphans === 1 ? '1 hired employee' : `${orphans} hired employees`;
      throw new DomainError(
        'BACKUP_RESTORE_CONFLICT',
        `Restoring ${table} would leave ${who} pointing at missing ${target} (e.g. ${column} ${example}); ` +
          `restore ${table === 'hired_employees' ? target : 'hired_employees'} first or choose another backup`,
        { table, orphans },
      );
    }
  }

  /** The smallest of `ids` that `target` lacks, looked up a thousand at a time. */
  private async firstMissing(runner: QueryRunner, target: string, ids: number[]): Promise<number | undefined> {
    const sorted = [...ids].sort((a, b) => a - b);
    for (let start = 0; start < sorted.length; start += 1000) {
      const chunk = sorted.slice(start, start + 1000);
      const found: { id: number | string }[] = await runner.query(
        this.dialect.sql(`SELECT id FROM ${target} WHERE id IN (${placeholders(chunk.length)})`),
        chunk,
      );
      const present = new Set(found.map((row) => Number(row.id)));
      const missing = chunk.find((id) => !present.has(id));
      if (missing !== undefined) return missing;
    }
    return undefined;
  }

  /** The smallest value of hired_employees' `column` that `target` lacks. */
  private async firstMissingReferenced(
    runner: QueryRunner,
    target: string,
    column: string,
  ): Promise<number | undefined> {
    const missing: { example: number | string }[] = await runner.query(
      `SELECT r.${column} AS example FROM (SELECT DISTINCT ${column} FROM hired_employees) r
       LEFT JOIN ${target} t ON t.id = r.${column} WHERE t.id IS NULL ORDER BY r.${column} LIMIT 1`,
    );
    return missing.length > 0 ? Number(missing[0].example) : undefined;
  }
}

/**
 * Keeps one write in flight: it is sent as soon as it is built, and awaited only when the next one
 * is ready, so the next batch is decoded and its statement built while the database runs this one.
 * One connection runs its statements in order, so nothing else changes.
 */
class WriteAhead {
  private pending: Promise<void> | undefined;

  /** Hands over a write already sent; waits for the one before it. */
  async send(write: Promise<void> | undefined): Promise<void> {
    // Observed below or by settle(); this keeps a failure from being reported as unhandled meanwhile.
    write?.catch(() => undefined);
    const previous = this.pending;
    this.pending = write;
    await previous;
  }

  async settle(): Promise<void> {
    const last = this.pending;
    this.pending = undefined;
    await last;
  }
}

/** A backup's rows as the tables store them: instants as UTC text. */
function storedRows(table: TableName, rows: TableRow[]): StoredValue[][] {
  const datetimeAt = TABLE_COLUMNS[table].findIndex((c) => c.kind === 'datetime');
  return datetimeAt < 0
    ? (rows as StoredValue[][])
    : rows.map(
        (row) => row.map((value, i) => (i === datetimeAt ? toStoredDatetime(value as number) : value)) as StoredValue[],
      );
}

async function* storedBatches(table: TableName, batches: AsyncIterable<TableRow[]>): AsyncGenerator<StoredValue[][]> {
  for await (const batch of batches) yield storedRows(table, batch);
}

function columnList(table: TableName): string {
  return TABLE_COLUMNS[table].map((c) => c.name).join(', ');
}

function placeholders(n: number): string {
  return Array(n).fill('?').join(', ');
}

/** Whether a stored row already holds exactly the values of a backup row. */
function sameRow(table: TableName, stored: Record<string, unknown> | undefined, row: TableRow): boolean {
  if (!stored) return false;
  return TABLE_COLUMNS[table].every((column, i) => {
    const value = stored[column.name];
    if (column.kind === 'string') return value === row[i];
    if (column.kind === 'datetime') return toEpochMillis(value) === row[i];
    return Number(value) === row[i];
  });
}

/** The backup repeats an id: the primary key refuses the second row. */
function duplicateIdError(error: unknown): DomainError | undefined {
  return isDuplicateKeyError(error)
    ? new DomainError('BACKUP_INVALID_RECORDS', 'The backup holds the same id more than once')
    : undefined;
}
