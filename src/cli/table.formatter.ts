export type Align = 'left' | 'right';

export interface Column<T> {
  header: string;
  align?: Align;
  /** Longer cells are cut with an ellipsis. */
  maxWidth?: number;
  value(row: T): string | number | null | undefined;
}

export interface TableOptions<T> {
  /** Printed under a second rule, like pgloader's total line. */
  footer?: T;
}

const GAP = '  ';

/** A plain-text table: header, rule, rows, and an optional footer under another rule. */
export function formatTable<T>(columns: Column<T>[], rows: T[], options: TableOptions<T> = {}): string {
  const cell = (row: T) => columns.map((column) => fitCell(column.value(row), column.maxWidth));
  const body = rows.map(cell);
  const footer = options.footer === undefined ? undefined : cell(options.footer);
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...body.map((r) => r[i].length), footer ? footer[i].length : 0),
  );
  const line = (cells: string[]) =>
    cells
      .map((text, i) => pad(text, widths[i], columns[i].align ?? 'left'))
      .join(GAP)
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join(GAP);
  const lines = [line(columns.map((c) => c.header)), rule, ...body.map(line)];
  if (footer) lines.push(rule, line(footer));
  return `${lines.join('\n')}\n`;
}

function fitCell(value: string | number | null | undefined, maxWidth?: number): string {
  const text = value === null || value === undefined ? '' : String(value).replace(/[\r\n\t]+/g, ' ');
  if (maxWidth === undefined || text.length <= maxWidth) return text;
  return `${text.slice(0, Math.max(0, maxWidth - 1))}…`;
}

function pad(text: string, width: number, align: Align): string {
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}

/** 1234567 → "1,234,567" (grouping makes large counts readable at a glance). */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : value.toLocaleString('en-US');
}

/** Milliseconds as "412ms", "3.25s", "2m05s" or "1h02m". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)}s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

/** Bytes in decimal units, as disks and network rates are quoted: "512 B", "1.5 kB", "23.4 MB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** An ISO instant as "2026-11-25 20:15:00" UTC, short enough for a table. */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 19).replace('T', ' ');
}
