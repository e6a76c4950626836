import { Global, Injectable, Module } from '@nestjs/common';
import type { TableName } from './tables';

/**
 * Tells readers that the HR tables changed. Every writer (migration runs, restores) calls
 * `changed()` after it commits; caches (the reports) compare `version` to know they are stale.
 * It is per process: a replica only sees its own writes, so caches also keep a short TTL.
 */
@Injectable()
export class DataChangeService {
  private counter = 0;

  get version(): number {
    return this.counter;
  }

  changed(_table: TableName): void {
    this.counter += 1;
  }
}

@Global()
@Module({ providers: [DataChangeService], exports: [DataChangeService] })
export class DataChangeModule {}
