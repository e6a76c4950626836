import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import type { Fence } from '../coordination/table-guard';
import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import { TABLE_COLUMNS, isTableName, type TableName } from '../database/tables';
import { isConnectionError } from '../database/database-errors';
import { RunMemory, type RowError } from './load/batch-preparer';
import { RunLoader } from './load/run-loader';
import type { SourceRow } from './load/source-row';
import { RunLifecycle } from './run-lifecycle.service';
import { REASONS, textProblem } from './rules/row-rules';

export const MAX_JSON_ROWS = 1000;

/** `POST /migrate/:table`: one JSON batch, all or nothing, recorded as a run like a file. */
@Injectable()
export class JsonBatchService {
  constructor(
    private readonly lifecycle: RunLifecycle,
    private readonly loader: RunLoader,
  ) {}

  async load(tableParam: string, body: unknown): Promise<MigrationRunEntity> {
    const table = requireTable(tableParam);
    if (!Array.isArray(body) || body.length === 0 || body.length > MAX_JSON_ROWS) {
      throw new DomainError('MIGRATION_INVALID_BATCH', `The body must be a JSON array of 1 to ${MAX_JSON_ROWS} rows`);
    }
    const rows = body.map((item, i) => toSourceRow(table, item, i + 1));
    const { run, lease } = await this.lifecycle.start({
      table,
      file: null,
      batchSize: rows.length,
      rejectMode: 'batch',
    });
    try {
      return await this.loadRun(run, table, rows, lease.fence);
    } finally {
      await lease.release();
    }
  }

  private async loadRun(
    run: MigrationRunEntity,
    table: TableName,
    rows: SourceRow[],
    fence: Fence,
  ): Promise<MigrationRunEntity> {
    const target = { runId: run.id, table, rejectMode: 'batch' as const, fence };
    const errors: RowError[] = [];
    try {
      await this.loader.load(target, new RunMemory(table, 'row'), single(rows), rows.length, (outcome) => {
        errors.push(...outcome.errors);
      });
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      const ended = { status: 'failed' as const, error: 'The database stopped answering', headerSkipped: false };
      await this.lifecycle.end(run.id, ended);
      throw new DomainError('DATABASE_UNAVAILABLE', 'The database stopped answering; send the batch again', {
        runId: run.id,
      });
    }
    const finished = await this.lifecycle.end(run.id, { status: 'completed', error: null, headerSkipped: false });
    if (errors.length > 0) {
      const rowErrors = errors.map((e) => ({ row: e.line, field: e.field, value: e.value, reason: e.reason }));
      const message = `${countBad(rowErrors)} of ${rows.length} rows cannot be loaded; nothing was written`;
      throw new DomainError('MIGRATION_ROWS_REJECTED', message, { runId: finished.id, errors: rowErrors });
    }
    return finished;
  }
}

function countBad(errors: { row: number }[]): number {
  return new Set(errors.map((e) => e.row)).size;
}

export function requireTable(table: string): TableName {
  if (isTableName(table)) return table;
  throw new DomainError(
    'MIGRATION_UNKNOWN_TABLE',
    `Unknown table ${JSON.stringify(table.slice(0, 40))}: use departments, jobs or hired_employees`,
  );
}

async function* single(rows: SourceRow[]): AsyncGenerator<SourceRow[]> {
  yield rows;
}

/** A JSON row as text values in column order; numbers become their decimal text, missing fields empty. */
function toSourceRow(table: TableName, item: unknown, position: number): SourceRow {
  const columns = TABLE_COLUMNS[table];
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return { line: position, values: [], columns: 0, malformed: REASONS.notObject(), original: item };
  }
  const record = item as Record<string, unknown>;
  const extra = Object.keys(record).find((key) => !columns.some((c) => c.name === key));
  const values = columns.map((c) => asText(record[c.name]));
  const row: SourceRow = { line: position, values, columns: columns.length, original: item };
  const notScalar = columns.find((c) => typeof record[c.name] === 'object' && record[c.name] !== null);
  if (extra !== undefined) row.malformed = REASONS.notColumn(extra.slice(0, 40), table);
  else if (notScalar) row.malformed = `${notScalar.name} must be a string or a number, not an object or array`;
  else row.malformed = textProblem(values, 'row', position);
  if (row.malformed === undefined) delete row.malformed;
  return row;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value === null || value === undefined) return '';
  return JSON.stringify(value).slice(0, 1100);
}
