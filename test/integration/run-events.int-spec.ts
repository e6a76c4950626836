import type { MessageEvent } from '@nestjs/common';
import { MigrationRunsRepository } from '../../src/migration/repositories/migration-runs.repository';
import { RunLifecycle } from '../../src/migration/run-lifecycle.service';
import { RUN_EVENTS_POLL_MS, RunEventsService } from '../../src/migration/run-events.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(testEngines())('run events on %s', (engine) => {
  let t: TestApp;
  let runs: MigrationRunsRepository;
  let events: RunEventsService;

  beforeAll(async () => {
    t = await startTestApp(engine);
    runs = t.app.get(MigrationRunsRepository);
    events = t.app.get(RunEventsService);
  });
  afterAll(async () => {
    await t.close();
  });

  it('should stop reading the run when the follower unsubscribes', async () => {
    const [run] = await t.app
      .get(RunLifecycle)
      .queue([{ table: 'jobs', file: 'jobs.csv', batchSize: 10, rejectMode: 'batch' }]);
    const reads = jest.spyOn(runs, 'findRun');
    const received: MessageEvent[] = [];
    const subscription = (await events.follow(run.id, 'test-client')).subscribe((event) => received.push(event));
    await pause(RUN_EVENTS_POLL_MS * 3);
    expect(received.map((e) => e.type)).toEqual(['progress']);
    const readsWhileFollowed = reads.mock.calls.length;
    expect(readsWhileFollowed).toBeGreaterThan(1);

    subscription.unsubscribe();
    const readsAtUnsubscribe = reads.mock.calls.length;
    await pause(RUN_EVENTS_POLL_MS * 4);
    // One read may have been under way when the follower left; none starts after it.
    expect(reads.mock.calls.length - readsAtUnsubscribe).toBeLessThanOrEqual(1);
    reads.mockRestore();
    await runs.finishRun(run.id, { status: 'completed', error: null, headerSkipped: false });
  });

  it('should send the end event and complete once the run ends while followed', async () => {
    const [run] = await t.app
      .get(RunLifecycle)
      .queue([{ table: 'jobs', file: 'jobs.csv', batchSize: 10, rejectMode: 'batch' }]);
    const received: MessageEvent[] = [];
    const completed = new Promise<void>((resolve, reject) => {
      events
        .follow(run.id, 'test-client')
        .then((stream) => stream.subscribe({ next: (e) => received.push(e), complete: resolve }))
        .catch(reject);
    });
    await runs.finishRun(run.id, { status: 'failed', error: 'The file is empty', headerSkipped: false });
    await completed;
    const kinds = received.map((e) => e.type);
    expect(kinds[kinds.length - 1]).toBe('end');
    expect(kinds.slice(0, -1).every((k) => k === 'progress')).toBe(true);
    expect(received[received.length - 1].data).toMatchObject({
      id: run.id,
      status: 'failed',
      error: 'The file is empty',
    });
  });
});
