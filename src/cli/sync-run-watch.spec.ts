import type { ApiClient } from './api.client';
import type { Run, RunList } from './api.types';
import { SyncRunWatch } from './sync-run-watch';

function run(id: number, file: string, rowsRead: number): Run {
  return {
    id,
    table: 'hired_employees',
    file,
    status: 'running',
    batchSize: 1000,
    rejectMode: 'row',
    rowsRead,
    rowsInserted: rowsRead,
    rowsRejected: 0,
    batchesTotal: 0,
    batchesCommitted: 0,
    batchesRejected: 0,
    startedAt: '2024-01-01T00:00:00.000Z',
    finishedAt: null,
    durationMs: null,
  };
}

describe('SyncRunWatch', () => {
  it('should count the rows of the runs of the files sent, created after the upload began', async () => {
    const lists: RunList[] = [
      { items: [run(5, 'hired_employees.csv', 1999)], total: 1 },
      {
        items: [run(7, 'other.csv', 50), run(6, 'hired_employees.csv', 3000), run(5, 'hired_employees.csv', 1999)],
        total: 3,
      },
    ];
    const api = { getJson: () => Promise.resolve(lists.shift()) } as unknown as ApiClient;
    const seen: number[] = [];
    const watch = new SyncRunWatch(api, ['hired_employees.csv'], (rows) => seen.push(rows));
    await watch.start();
    watch.stop();
    await (watch as unknown as { poll(): Promise<void> }).poll();
    expect(seen).toEqual([3000]);
  });

  it('should show nothing and never throw when the run list cannot be read', async () => {
    const api = { getJson: () => Promise.reject(new Error('401')) } as unknown as ApiClient;
    const seen: number[] = [];
    const watch = new SyncRunWatch(api, ['jobs.csv'], (rows) => seen.push(rows));
    await watch.start();
    await (watch as unknown as { poll(): Promise<void> }).poll();
    watch.stop();
    expect(seen).toEqual([]);
  });
});
