import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { DomainError } from '../common/errors/domain-error';
import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import type { RejectedBatchEntity } from '../database/entities/rejected-batch.entity';
import { TABLE_COLUMNS, type TableName } from '../database/tables';
import { MigrationRunsRepository } from './repositories/migration-runs.repository';

/** Reject log entries read at a time: a page holds at most this many batches' rows. */
const PAGE_BATCHES = 20;

interface LoggedRow {
  line: number;
  values: unknown;
}

interface LoggedError {
  line: number;
  field: string | null;
  reason: string;
}

export interface RejectsCsv {
  fileName: string;
  stream: Readable;
}

/**
 * A run's rows to fix: every row that was not written, as it was sent, in file order, after the
 * file's header; read from the reject log a page at a time, so any number of rows streams out.
 */
@Injectable()
export class RejectsCsvService {
  constructor(private readonly runs: MigrationRunsRepository) {}

  async open(runId: number, reasons: boolean): Promise<RejectsCsv> {
    const run = await this.runs.findRun(runId);
    if (!run) throw new DomainError('MIGRATION_RUN_NOT_FOUND', `There is no migration run ${runId}`);
    return {
      fileName: `${run.tableName}-run-${run.id}-rejects.csv`,
      stream: Readable.from(this.lines(run, reasons)),
    };
  }

  private async *lines(run: MigrationRunEntity, reasons: boolean): AsyncGenerator<string> {
    const format = new RowFormat(run, reasons);
    const header = format.header();
    if (header !== undefined) yield `${header}\n`;
    let after = { batchNo: 0, id: 0 };
    for (;;) {
      const page = await this.runs.findRejectedBatchPage(run.id, after, PAGE_BATCHES);
      if (page.length === 0) return;
      yield page.map((entry) => format.batch(entry)).join('');
      const last = page[page.length - 1];
      after = { batchNo: last.batchNo, id: last.id };
    }
  }
}

/** How one run's rows are written: its delimiter, its header, and the reasons columns when asked. */
class RowFormat {
  private readonly delimiter: string;
  private readonly columns: string[];

  constructor(
    private readonly run: MigrationRunEntity,
    private readonly reasons: boolean,
  ) {
    this.delimiter = run.delimiter ?? ',';
    this.columns = TABLE_COLUMNS[run.tableName as TableName].map((c) => c.name);
  }

  /** The file's own header; the table's columns for a JSON batch, or when reasons need naming. */
  header(): string | undefined {
    const extra = this.reasons ? this.join(['line', 'field', 'reason']) : undefined;
    const own = this.run.headerText ?? (this.run.fileName === null || extra ? this.join(this.columns) : undefined);
    if (own === undefined) return undefined;
    return extra === undefined ? own : `${own}${this.delimiter}${extra}`;
  }

  batch(entry: RejectedBatchEntity): string {
    const rows = JSON.parse(entry.rawRows) as LoggedRow[];
    const texts = entry.rawText === null ? [] : (JSON.parse(entry.rawText) as (string | null)[]);
    const errors = this.reasons ? errorsByLine(JSON.parse(entry.errors) as LoggedError[]) : undefined;
    let out = '';
    rows.forEach((row, i) => {
      const text = texts[i] ?? this.fromValues(row.values);
      if (!errors) {
        out += `${text}\n`;
        return;
      }
      const own = errors.get(row.line) ?? [];
      const reason = own.length
        ? own.map((e) => e.reason).join('; ')
        : `not written: its batch (lines ${entry.firstLine}-${entry.lastLine}) was rejected`;
      const fields = [...new Set(own.map((e) => e.field).filter((f) => f !== null))].join('; ');
      out += `${text}${this.delimiter}${this.join([String(row.line), fields, reason])}\n`;
    });
    return out;
  }

  /** A row kept without its text (a JSON batch's object, or text past the batch's budget): its values. */
  private fromValues(values: unknown): string {
    if (Array.isArray(values)) return this.join(values.map(asText));
    if (values !== null && typeof values === 'object') {
      const record = values as Record<string, unknown>;
      return this.join(this.columns.map((c) => asText(record[c])));
    }
    return this.join([asText(values)]);
  }

  private join(values: string[]): string {
    return values.map((v) => quoted(v, this.delimiter)).join(this.delimiter);
  }
}

function errorsByLine(errors: LoggedError[]): Map<number, LoggedError[]> {
  const byLine = new Map<number, LoggedError[]>();
  for (const error of errors) {
    const list = byLine.get(error.line);
    if (list) list.push(error);
    else byLine.set(error.line, [error]);
  }
  return byLine;
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** RFC 4180: a field holding the delimiter, a quote or a line end is quoted, its quotes doubled. */
function quoted(value: string, delimiter: string): string {
  return value.includes(delimiter) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
