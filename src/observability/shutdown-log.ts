import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';

/**
 * The last line of a shutdown. Provided by the root module, whose hooks Nest calls after those of
 * every module it imports: when this line is written, the database connections are closed.
 */
@Injectable()
export class ShutdownLog implements OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');

  onApplicationShutdown(signal?: string): void {
    this.logger.log(`Shutdown complete${signal ? ` (${signal})` : ''}`);
  }
}
