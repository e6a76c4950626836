import { Injectable } from '@nestjs/common';
import { TABLE_COLUMNS, type TableName } from '../../database/tables';
import { HrTablesRepository } from '../repositories/hr-tables.repository';
import { BatchTransaction } from '../../database/batch-transaction';
import type { EncodedRows } from '../../database/dialect';
import type { RejectMode } from '../../database/entities/migration-run.entity';
import { REASONS } from '../rules/row-rules';
import { checkRow, type DbValue, type FieldError } from '../rules/row-validator';
import { IdLines } from './id-lines';
import type { SourceRow } from './source-row';

export interface RowError extends FieldError {
  line: number;
}

/** A batch checked against the rules, ready to write: good rows as database values, bad rows with reasons. */
export interface PreparedBatch {
  batchNo: number;
  rows: SourceRow[];
  good: { row: SourceRow; values: DbValue[] }[];
  bad: Map<SourceRow, RowError[]>;
  /** Once sealed: the rows to write, in the database's form, and their ids (`good` is emptied then). */
  sealed?: SealedRows;
}

/** The good rows of a sealed batch: how many, encoded for the database, and their ids. */
export interface SealedRows {
  count: number;
  encoded: EncodedRows | null;
  ids: number[];
}

/** What a run remembers across its batches: ids seen in the upload, referenced ids known to exist. */
export class RunMemory {
  readonly seenIds = new IdLines();
  readonly knownIds = new Map<TableName, Set<number>>();

  constructor(
    readonly table: TableName,
    /** How a position is named in reasons: `line` for files, `row` for JSON arrays. */
    readonly where: 'line' | 'row' = 'line',
  ) {}

  known(table: TableName): Set<number> {
    let set = this.knownIds.get(table);
    if (!set) this.knownIds.set(table, (set = new Set()));
    return set;
  }
}

/** Checks a batch: every field (fast validator), repeats within the upload, and references (one query per table). */
@Injectable()
export class BatchPreparer {
  constructor(
    private readonly tables: HrTablesRepository,
    private readonly transaction: BatchTransaction,
  ) {}

  /** The synchronous part: fields and repeats. Runs while the previous batch commits. */
  check(memory: RunMemory, batchNo: number, rows: SourceRow[]): PreparedBatch {
    const batch: PreparedBatch = { batchNo, rows, good: [], bad: new Map() };
    for (const row of rows) {
      if (row.malformed !== undefined) {
        batch.bad.set(row, [{ line: row.line, field: null, value: null, reason: row.malformed }]);
        continue;
      }
      const result = checkRow(memory.table, row.values, row.columns);
      if (!result.ok) {
        batch.bad.set(
          row,
          result.errors.map((e) => ({ ...e, line: row.line })),
        );
        continue;
      }
      const id = result.values[0] as number;
      const first = memory.seenIds.get(id);
      if (first !== undefined) {
        const reason = REASONS.duplicate('id', id, first, memory.where);
        batch.bad.set(row, [{ line: row.line, field: 'id', value: row.values[0], reason }]);
        continue;
      }
      memory.seenIds.set(id, row.line);
      batch.good.push({ row, values: result.values });
    }
    return batch;
  }

  /** The references of the good rows: one `SELECT ... IN` per referenced table for ids not yet known. */
  async checkReferences(memory: RunMemory, batch: PreparedBatch): Promise<void> {
    const columns = TABLE_COLUMNS[memory.table];
    for (let c = 0; c < columns.length; c++) {
      const target = columns[c].references;
      if (!target) continue;
      const known = memory.known(target);
      const unknown = new Set<number>();
      for (const { values } of batch.good) if (!known.has(values[c] as number)) unknown.add(values[c] as number);
      if (unknown.size === 0) continue;
      const existing = await this.transaction.retrying(() => this.tables.findExistingIds(target, [...unknown]));
      for (const id of existing) known.add(id);
      for (const entry of batch.good) {
        const id = entry.values[c] as number;
        if (known.has(id)) continue;
        const errors = batch.bad.get(entry.row) ?? [];
        errors.push({
          line: entry.row.line,
          field: columns[c].name,
          value: entry.row.values[c],
          reason: REASONS.missingReference(columns[c].name, id),
        });
        batch.bad.set(entry.row, errors);
      }
    }
    if (batch.bad.size > 0) batch.good = batch.good.filter((entry) => !batch.bad.has(entry.row));
  }

  /** Seals a checked batch (`sealBatch`) before it waits for its turn to be written. */
  seal(table: TableName, batch: PreparedBatch, rejectMode: RejectMode, dryRun: boolean): void {
    sealBatch(batch, rejectMode, dryRun, (rows) => this.tables.encode(table, rows));
  }
}

/**
 * The rows a checked batch will write, encoded as the database takes them (MySQL: one buffer outside
 * the heap), and its checked values let go, before the batch waits for its turn. A batch of
 * `rejectMode=batch` with a bad row writes nothing; a dry run writes nothing but keeps the ids.
 */
export function sealBatch(
  batch: PreparedBatch,
  rejectMode: RejectMode,
  dryRun: boolean,
  encode: (rows: DbValue[][]) => EncodedRows,
): SealedRows {
  const writes = batch.bad.size === 0 || rejectMode === 'row';
  const good = writes ? batch.good : [];
  const ids = good.map((g) => g.values[0] as number);
  const encoded = dryRun || good.length === 0 ? null : encode(good.map((g) => g.values));
  batch.sealed = { count: good.length, encoded, ids };
  batch.good = [];
  return batch.sealed;
}
