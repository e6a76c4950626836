import type { Run } from './api.types';
import { formatSeconds } from './progress.bar';
import { formatBytes, formatCount, formatDuration } from './table.formatter';
import { ERASE_LINE, type Terminal } from './terminal';

const TTY_REDRAW_MS = 100;
const PLAIN_EVERY_MS = 5000;

export interface RunProgressState {
  file: string;
  /** Rows read by the whole load so far: the runs ended and the one loading. */
  rowsRead: number;
  /** Bytes of the whole load read so far, and the size of all its files when known. */
  bytesRead: number;
  bytesTotal: number | null;
  /** Rows per second since this client started following the load. */
  rowsPerSecond: number | null;
  /** Time left for the whole load, from its bytes per second so far; null until there is a rate. */
  msLeft?: number | null;
}

/** "loading hired_employees.csv [████░░░░]  45%  450,000 rows  30,000 rows/s  12s left", fitted to the terminal. */
export function renderRunProgressLine(state: RunProgressState, columns: number): string {
  const rate = state.rowsPerSecond === null ? '' : `  ${formatCount(Math.round(state.rowsPerSecond))} rows/s`;
  const left = state.msLeft === null || state.msLeft === undefined ? '' : `  ${formatSeconds(state.msLeft)} left`;
  const rows = `${formatCount(state.rowsRead)} rows${rate}${left}`;
  const name = state.file.length > 32 ? `${state.file.slice(0, 31)}…` : state.file;
  if (!state.bytesTotal) return `loading ${name}  ${rows}`;
  const ratio = Math.min(1, state.bytesRead / state.bytesTotal);
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  const barWidth = Math.min(30, columns - (name.length + rows.length + 18));
  // A narrow terminal gets the numbers without a bar rather than a wrapped line.
  if (barWidth < 8) return `loading ${name}  ${percent}  ${rows}`;
  const filled = Math.round(ratio * barWidth);
  return `loading ${name} [${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${percent}  ${rows}`;
}

/**
 * The progress of the runs of a load, from their events, on stderr, counted over the whole load
 * (every file of the upload, in whatever order they load): a redrawn line on a terminal; a plain
 * line every few seconds and one when each run ends otherwise (logs, CI).
 */
export class RunProgress {
  private state: RunProgressState | undefined;
  private first: { at: number; rows: number; bytes: number } | undefined;
  private timer?: NodeJS.Timeout;
  private lastPlainAt = 0;
  /** What the runs that ended read. */
  private done = { rows: 0, bytes: 0 };
  private readonly bytesTotal: number | null;

  constructor(
    private readonly terminal: Terminal,
    runs: Run[] = [],
  ) {
    const sizes = runs.map((r) => r.progress?.bytesTotal ?? null);
    this.bytesTotal = sizes.length > 0 && sizes.every((s) => s !== null) ? sizes.reduce((a, b) => a! + b!, 0) : null;
  }

  follow(run: Run): void {
    this.lastPlainAt = Date.now();
    this.update(run);
    if (!this.terminal.errIsTty) {
      const size = run.progress?.bytesTotal ? ` (${formatBytes(run.progress.bytesTotal)})` : '';
      this.terminal.err(`loading ${run.file}${size}\n`);
    } else if (!this.timer) {
      this.timer = setInterval(() => this.redraw(), TTY_REDRAW_MS);
      this.timer.unref();
    }
  }

  update(run: Run): void {
    const now = Date.now();
    const rows = this.done.rows + run.rowsRead;
    const bytes = this.done.bytes + (run.progress?.bytesRead ?? 0);
    if (run.status === 'running' && this.first === undefined && rows > 0) this.first = { at: now, rows, bytes };
    const elapsed = this.first ? now - this.first.at : 0;
    const timed = this.first !== undefined && elapsed >= 500;
    const bytesPerMs = timed ? (bytes - this.first!.bytes) / elapsed : 0;
    const total = this.bytesTotal ?? (run.progress?.bytesTotal ? this.done.bytes + run.progress.bytesTotal : null);
    this.state = {
      file: run.file,
      rowsRead: rows,
      bytesRead: bytes,
      bytesTotal: total,
      rowsPerSecond: timed ? ((rows - this.first!.rows) / elapsed) * 1000 : null,
      msLeft: total !== null && bytesPerMs > 0 ? Math.max(0, total - bytes) / bytesPerMs : null,
    };
    if (!this.terminal.errIsTty && run.status === 'running' && now - this.lastPlainAt >= PLAIN_EVERY_MS) {
      this.lastPlainAt = now;
      this.terminal.err(`${renderRunProgressLine(this.state, 120)}\n`);
    }
  }

  ended(run: Run): void {
    this.done = {
      rows: this.done.rows + run.rowsRead,
      bytes: this.done.bytes + (run.progress?.bytesTotal ?? run.progress?.bytesRead ?? 0),
    };
    if (this.terminal.errIsTty) {
      this.terminal.err(ERASE_LINE);
      return;
    }
    const failed = run.status === 'completed' ? '' : 'failed ';
    this.terminal.err(`${failed}${run.file}: ${runCounts(run)} in ${formatDuration(run.durationMs)}\n`);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.terminal.errIsTty) this.terminal.err(ERASE_LINE);
  }

  private redraw(): void {
    if (this.state) this.terminal.err(`${ERASE_LINE}${renderRunProgressLine(this.state, this.terminal.errColumns)}`);
  }
}

/** "read 1,999, wrote 1,929, rejected 70": a run's rows as a sentence, what was read never called loaded. */
export function runCounts(run: Pick<Run, 'rowsRead' | 'rowsInserted' | 'rowsRejected'>): string {
  const counts = `read ${formatCount(run.rowsRead)}, wrote ${formatCount(run.rowsInserted)}`;
  return `${counts}, rejected ${formatCount(run.rowsRejected)}`;
}
