import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { DomainError } from '../common/errors/domain-error';
import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import { neutralizeFormula, neutralizeFormulaLine } from '../common/text/spreadsheet-cell';
import { TABLE_COLUMNS, type TableName } from '../database/tables';
import {
  MigrationRunsRepository,
  type LoggedError,
  type RejectedRowEntry,
  type RejectedRowKey,
} from './repositories/migration-runs.repository';

/** Rows read at a time, and the text a page may hold beyond its first row: one download holds one page. */
const PAGE_ROWS = 100;
const PAGE_CHARS = 256 * 1024;

export interface RejectsCsv {
  fileName: string;
  stream: Readable;
}

/**
 * A run's rows to fix: every row that was not written, as it was sent, in file order, after the
 * file's header. The reject log is read a page at a time and only when the client has taken the
 * page before (back-pressure), so a slow download holds one page of memory, whatever the log's size.
 */
@Injectable()
export class RejectsCsvService {
  constructor(private readonly runs: MigrationRunsRepository) {}

  async open(runId: number, reasons: boolean): Promise<RejectsCsv> {
    const run = await this.runs.findRun(runId);
    if (!run) throw new DomainError('MIGRATION_RUN_NOT_FOUND', `There is no migration run ${runId}`);
    return {
      fileName: `${run.tableName}-run-${run.id}-rejects.csv`,
      stream: new RejectsCsvStream(this.runs, run, new RowFormat(run, reasons)),
    };
  }
}

/** Pulls the next page of the reject log each time the stream's buffer runs low, never before. */
class RejectsCsvStream extends Readable {
  private next: RejectedRowKey | undefined = { batchNo: 0, rowNo: 0 };
  private started = false;

  constructor(
    private readonly runs: MigrationRunsRepository,
    private readonly run: MigrationRunEntity,
    private readonly format: RowFormat,
  ) {
    super({ highWaterMark: 64 * 1024 });
  }

  override _read(): void {
    this.page().then(
      (text) => this.push(text),
      (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
    );
  }

  /** The next page's text, at least one row (or the header); null at the end. */
  private async page(): Promise<string | null> {
    let out = '';
    if (!this.started) {
      this.started = true;
      const header = this.format.header();
      if (header !== undefined) out += `${header}\n`;
    }
    // Rows left out give no text: read on until a page gives some, or the log ends.
    while (out === '' && this.next !== undefined) {
      const from = this.next;
      const count = await this.runs.countRejectedRowsWithin(this.run.id, from, PAGE_ROWS, PAGE_CHARS);
      const rows = count === 0 ? [] : await this.runs.findRejectedRows(this.run.id, from, count, { text: true });
      const last = rows[rows.length - 1];
      this.next = last && rows.length === count ? { batchNo: last.batchNo, rowNo: last.rowNo + 1 } : undefined;
      for (const row of rows) out += this.format.row(row);
    }
    return out === '' ? null : out;
  }
}

interface LoggedRow {
  line: number;
  values: unknown;
}

/** How one run's rows are written: its delimiter, its header, and the reasons columns when asked (exported for its tests). */
export class RowFormat {
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
    const sent = this.run.headerText ?? undefined;
    const own =
      sent !== undefined && this.reasons
        ? neutralizeFormulaLine(sent)
        : (sent ?? (this.run.fileName === null || extra ? this.join(this.columns) : undefined));
    if (own === undefined) return undefined;
    return extra === undefined ? own : `${own}${this.delimiter}${extra}`;
  }

  /** One row's line; a row too long to keep is left out, and named with its reason when reasons are asked. */
  row(entry: RejectedRowEntry): string {
    if (entry.textLeftOut && !this.reasons) return '';
    if (!this.reasons) return `${entry.text ?? this.fromValues(entry.rawRow)}\n`;
    let text: string;
    if (entry.textLeftOut) text = this.join(this.columns.map(() => ''));
    else text = entry.text === null ? this.fromValues(entry.rawRow) : neutralizeFormulaLine(entry.text);
    const own = JSON.parse(entry.errors) as LoggedError[];
    const reason = own.length
      ? own.map((e) => e.reason).join('; ')
      : `not written: its batch (lines ${entry.firstLine}-${entry.lastLine}) was rejected`;
    const fields = [...new Set(own.map((e) => e.field).filter((f) => f !== null))].join('; ');
    return `${text}${this.delimiter}${this.join([String(entry.line), fields, reason])}\n`;
  }

  /** A row kept without its text (a JSON batch's object, or a row logged before texts were kept whole): its values. */
  private fromValues(rawRow: string): string {
    const values = (JSON.parse(rawRow) as LoggedRow).values;
    if (Array.isArray(values)) return this.join(values.map(asText));
    if (values !== null && typeof values === 'object') {
      const record = values as Record<string, unknown>;
      return this.join(this.columns.map((c) => asText(record[c])));
    }
    return this.join([asText(values)]);
  }

  /** Cells joined as CSV; with reasons, for people, each cell is neutralized as a spreadsheet would read it. */
  private join(values: string[]): string {
    return values.map((v) => quoted(this.reasons ? neutralizeFormula(v) : v, this.delimiter)).join(this.delimiter);
  }
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** RFC 4180: a field holding the delimiter, a quote or a line end is quoted, its quotes doubled. */
function quoted(value: string, delimiter: string): string {
  return value.includes(delimiter) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
