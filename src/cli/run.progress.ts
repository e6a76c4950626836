import type { Run } from './api.types';
import { formatBytes, formatCount, formatDuration } from './table.formatter';
import type { Terminal } from './terminal';

const TTY_REDRAW_MS = 100;
const PLAIN_EVERY_MS = 5000;

export interface RunProgressState {
  file: string;
  rowsRead: number;
  bytesRead: number;
  bytesTotal: number | null;
  /** Rows per second since this client started following the run. */
  rowsPerSecond: number | null;
}

/** "loading hired_employees.csv [████░░░░]  45%  450,000 rows  30,000 rows/s", fitted to the terminal. */
export function renderRunProgressLine(state: RunProgressState, columns: number): string {
  const rate = state.rowsPerSecond === null ? '' : `  ${formatCount(Math.round(state.rowsPerSecond))} rows/s`;
  const rows = `${formatCount(state.rowsRead)} rows${rate}`;
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
 * The progress of the runs of an async load, from their events, on stderr: a redrawn line on a
 * terminal; a plain line every few seconds and one when each run ends otherwise (logs, CI).
 */
export class RunProgress {
  private state: RunProgressState | undefined;
  private first: { at: number; rows: number } | undefined;
  private timer?: NodeJS.Timeout;
  private lastPlainAt = 0;

  constructor(private readonly terminal: Terminal) {}

  follow(run: Run): void {
    this.first = undefined;
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
    if (run.status === 'running' && this.first === undefined && run.rowsRead > 0) {
      this.first = { at: now, rows: run.rowsRead };
    }
    const elapsed = this.first ? now - this.first.at : 0;
    this.state = {
      file: run.file,
      rowsRead: run.rowsRead,
      bytesRead: run.progress?.bytesRead ?? 0,
      bytesTotal: run.progress?.bytesTotal ?? null,
      rowsPerSecond: this.first && elapsed >= 500 ? ((run.rowsRead - this.first.rows) / elapsed) * 1000 : null,
    };
    if (!this.terminal.errIsTty && run.status === 'running' && now - this.lastPlainAt >= PLAIN_EVERY_MS) {
      this.lastPlainAt = now;
      this.terminal.err(`${renderRunProgressLine(this.state, 120)}\n`);
    }
  }

  ended(run: Run): void {
    if (this.terminal.errIsTty) {
      this.terminal.err('\r\x1b[2K');
      return;
    }
    const rows = `${formatCount(run.rowsRead)} rows`;
    this.terminal.err(
      `${run.status === 'completed' ? 'loaded' : 'failed'} ${run.file}: ${rows} in ${formatDuration(run.durationMs)}\n`,
    );
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.terminal.errIsTty) this.terminal.err('\r\x1b[2K');
  }

  private redraw(): void {
    if (this.state) this.terminal.err(`\r\x1b[2K${renderRunProgressLine(this.state, this.terminal.errColumns)}`);
  }
}
