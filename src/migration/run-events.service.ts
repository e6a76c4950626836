import { Injectable, type MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { DomainError } from '../common/errors/domain-error';
import type { MigrationRunEntity } from '../database/entities/migration-run.entity';
import type { RunResponseDto } from './dto/run-response.dto';
import { MigrationRunsRepository } from './repositories/migration-runs.repository';
import { toRunResponse } from './run-mapper';

/** How often the run is read while it runs: at most four progress events a second. */
export const RUN_EVENTS_POLL_MS = 250;
/** A comment line this often keeps proxies from closing a quiet stream (a run queued behind others). */
const KEEPALIVE_MS = 15_000;

/**
 * The progress of one run as server-sent events: `progress` with the run whenever its counters
 * change, then `end` with the final run, then the stream closes. The run is read from the
 * database, so any replica can follow a run that another one is loading.
 */
@Injectable()
export class RunEventsService {
  constructor(private readonly runs: MigrationRunsRepository) {}

  async follow(id: number): Promise<Observable<MessageEvent>> {
    const first = await this.runs.findRun(id);
    if (!first) throw new DomainError('MIGRATION_RUN_NOT_FOUND', `There is no migration run ${id}`);
    return new Observable<MessageEvent>((subscriber) => {
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      let last = '';
      let lastSentAt = Date.now();
      const emit = (run: MigrationRunEntity): boolean => {
        const body: RunResponseDto = toRunResponse(run);
        if (run.status !== 'running') {
          subscriber.next({ type: 'end', data: body });
          subscriber.complete();
          return false;
        }
        const text = JSON.stringify(body);
        if (text !== last) {
          last = text;
          lastSentAt = Date.now();
          subscriber.next({ type: 'progress', data: body });
        } else if (Date.now() - lastSentAt >= KEEPALIVE_MS) {
          lastSentAt = Date.now();
          subscriber.next({ comment: 'waiting' });
        }
        return true;
      };
      const poll = async () => {
        try {
          const run = await this.runs.findRun(id);
          if (stopped) return;
          if (!run) return subscriber.complete();
          if (emit(run)) timer = setTimeout(() => void poll(), RUN_EVENTS_POLL_MS);
        } catch {
          if (stopped) return;
          subscriber.next({ type: 'error', data: { message: 'The run could not be read; reconnect to follow it' } });
          subscriber.complete();
        }
      };
      if (emit(first)) timer = setTimeout(() => void poll(), RUN_EVENTS_POLL_MS);
      // The client left (or the stream ended): no more reads of the run.
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    });
  }
}
