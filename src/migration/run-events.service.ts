import { Injectable, type MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
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
 * database, so any replica can follow a run that another one is loading. Streams are capped per
 * client and in all, and last at most a time limit (each one reads the database four times a second).
 */
@Injectable()
export class RunEventsService {
  /** Open streams by client address, and in all. */
  private readonly open = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly runs: MigrationRunsRepository,
    private readonly config: AppConfig,
  ) {}

  /**
   * `client` is the address the stream is counted against: over its cap, or over the cap in all,
   * the stream is refused with 429. A stream ends with its run, or at the time limit with an
   * `error` event that says to reconnect.
   */
  async follow(id: number, client: string): Promise<Observable<MessageEvent>> {
    const first = await this.runs.findRun(id);
    if (!first) throw new DomainError('MIGRATION_RUN_NOT_FOUND', `There is no migration run ${id}`);
    this.reserve(client);
    return new Observable<MessageEvent>((subscriber) => {
      const minutes = Math.round(this.config.eventStreams.maxMs / 60_000);
      const limit = setTimeout(() => {
        stopped = true;
        clearTimeout(timer);
        const message = `The stream reached its time limit (${minutes} min); reconnect to follow the run`;
        subscriber.next({ type: 'error', data: { message } });
        subscriber.complete();
      }, this.config.eventStreams.maxMs);
      limit.unref();
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
      // The client left (or the stream ended): no more reads of the run, and its place is free.
      return () => {
        stopped = true;
        clearTimeout(timer);
        clearTimeout(limit);
        this.release(client);
      };
    });
  }

  private reserve(client: string): void {
    const { perClient, total } = this.config.eventStreams;
    const mine = this.open.get(client) ?? 0;
    if (mine >= perClient) {
      throw new DomainError(
        'MIGRATION_TOO_MANY_STREAMS',
        `This client already follows ${mine} event streams, the most one client may; close one, or read GET /migrate/runs/:id`,
      );
    }
    if (this.total >= total) {
      throw new DomainError(
        'MIGRATION_TOO_MANY_STREAMS',
        `The service already serves ${this.total} event streams in all, the most it may; try again later, or read GET /migrate/runs/:id`,
      );
    }
    this.open.set(client, mine + 1);
    this.total += 1;
  }

  private release(client: string): void {
    const mine = (this.open.get(client) ?? 1) - 1;
    if (mine > 0) this.open.set(client, mine);
    else this.open.delete(client);
    this.total -= 1;
  }
}
