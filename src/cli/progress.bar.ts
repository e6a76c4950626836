import { formatBytes, formatCount, formatDuration } from './table.formatter';
import { ERASE_LINE, type Terminal } from './terminal';

export interface ProgressState {
  sent: number;
  total: number;
  elapsedMs: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const TTY_REDRAW_MS = 100;
const PLAIN_EVERY_MS = 5000;

/** "[██████░░░░]  52%  12.3 MB / 23.6 MB  4.10 MB/s  3.20s left", fitted to the terminal's width. */
export function renderProgressLine(state: ProgressState, columns: number): string {
  const ratio = state.total > 0 ? Math.min(1, state.sent / state.total) : 1;
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  const stats = `${percent}  ${formatBytes(state.sent)} / ${formatBytes(state.total)}  ${rateAndEta(state)}`;
  // Room for the longest stats ("100%  999.9 MB / 999.9 MB  999.9 MB/s  59m59s left") keeps the bar still.
  const barWidth = Math.max(10, Math.min(40, columns - 62));
  const filled = Math.round(ratio * barWidth);
  return `uploading [${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${stats}`;
}

/** "4.10 MB/s  3.20s left", or nothing until there is a rate to speak of. */
export function rateAndEta(state: ProgressState): string {
  if (state.elapsedMs < 200 || state.sent === 0) return '';
  const perSecond = state.sent / (state.elapsedMs / 1000);
  const left = state.total > state.sent ? ((state.total - state.sent) / perSecond) * 1000 : 0;
  return `${formatBytes(perSecond)}/s  ${formatSeconds(left)} left`;
}

/** Whole seconds under a minute ("4s"): a countdown that flickers through milliseconds is noise. */
export function formatSeconds(ms: number): string {
  return ms < 60_000 ? `${Math.ceil(ms / 1000)}s` : formatDuration(ms);
}

/**
 * Upload progress on stderr: a redrawn bar and then a spinner while the service writes, on a
 * terminal; a plain line every few seconds otherwise (logs, CI).
 */
export class UploadProgress {
  private sent = 0;
  /** Rows the service has read so far, when known (a --sync load watches its runs). */
  private loaded: number | undefined;
  private readonly startedAt = Date.now();
  private uploadedAt?: number;
  private timer?: NodeJS.Timeout;
  private frame = 0;

  constructor(
    private readonly terminal: Terminal,
    private readonly total: number,
  ) {}

  start(what: string): void {
    if (!this.terminal.errIsTty) this.terminal.err(`${what} (${formatBytes(this.total)})\n`);
    const every = this.terminal.errIsTty ? TTY_REDRAW_MS : PLAIN_EVERY_MS;
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  update(sent: number): void {
    this.sent = sent;
    if (sent >= this.total && this.uploadedAt === undefined) this.uploaded();
  }

  rows(loaded: number): void {
    this.loaded = loaded;
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.terminal.errIsTty) this.terminal.err(ERASE_LINE);
  }

  private uploaded(): void {
    this.uploadedAt = Date.now();
    if (!this.terminal.errIsTty) {
      const took = formatDuration(this.uploadedAt - this.startedAt);
      this.terminal.err(`uploaded ${formatBytes(this.total)} in ${took}; the service is writing…\n`);
    }
  }

  private tick(): void {
    const now = Date.now();
    if (this.terminal.errIsTty) {
      this.terminal.err(`${ERASE_LINE}${this.render(now)}`);
    } else if (this.uploadedAt === undefined) {
      const percent = Math.floor((this.sent / Math.max(1, this.total)) * 100);
      const state = { sent: this.sent, total: this.total, elapsedMs: now - this.startedAt };
      this.terminal.err(
        `uploaded ${percent}% (${formatBytes(this.sent)} of ${formatBytes(this.total)})  ${rateAndEta(state)}${this.rowsText()}\n`,
      );
    } else {
      this.terminal.err(`the service is still writing (${formatSeconds(now - this.uploadedAt)})${this.rowsText()}\n`);
    }
  }

  private render(now: number): string {
    if (this.uploadedAt === undefined) {
      const state = { sent: this.sent, total: this.total, elapsedMs: now - this.startedAt };
      return `${renderProgressLine(state, this.terminal.errColumns - this.rowsText().length)}${this.rowsText()}`;
    }
    this.frame = (this.frame + 1) % SPINNER.length;
    const uploaded = `uploaded ${formatBytes(this.total)} in ${formatDuration(this.uploadedAt - this.startedAt)}`;
    return `${uploaded}  ${SPINNER[this.frame]} writing…  ${formatSeconds(now - this.uploadedAt)}${this.rowsText()}`;
  }

  private rowsText(): string {
    return this.loaded === undefined ? '' : `  ${formatCount(this.loaded)} rows read`;
  }
}
