import type { ApiClient } from './api.client';
import type { RunList } from './api.types';

const POLL_MS = 1000;

/**
 * The rows a one-request (--sync) load has loaded so far. Its run ids come only with the answer, so
 * the runs are found in the run list: those created after the upload began (a higher id than the
 * newest run before it) for the files sent. Only for the progress line: any failure is ignored.
 */
export class SyncRunWatch {
  private newestBefore: number | undefined;
  private timer?: NodeJS.Timeout;
  private polling = false;

  constructor(
    private readonly api: ApiClient,
    private readonly fileNames: string[],
    private readonly onRows: (rows: number) => void,
  ) {}

  async start(): Promise<void> {
    const list = await this.list();
    if (!list) return;
    this.newestBefore = list.items[0]?.id ?? 0;
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.newestBefore === undefined) return;
    this.polling = true;
    try {
      const list = await this.list();
      const ours = (list?.items ?? []).filter(
        (run) => run.id > (this.newestBefore as number) && this.fileNames.includes(run.file),
      );
      if (ours.length > 0) this.onRows(ours.reduce((sum, run) => sum + run.rowsRead, 0));
    } finally {
      this.polling = false;
    }
  }

  private async list(): Promise<RunList | undefined> {
    try {
      return await this.api.getJson<RunList>(`/migrate/runs?limit=${Math.max(10, this.fileNames.length * 2)}`);
    } catch {
      return undefined;
    }
  }
}
