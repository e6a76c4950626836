import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerException,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { AppConfig } from '../../config/app-config';
import { ApiKeyCheck, isWrite } from './api-key.guard';

/**
 * RATE_LIMIT_PER_MINUTE counts, per client, its writes (POST, DELETE) and its failed key checks, so that
 * keys cannot be guessed at full speed; reads that pass and the dashboard are never throttled.
 * Writes are counted from their headers, before their body is read (WriteGate, through countWrite);
 * failed read-key checks here, before the key guard, so that a client over the limit gets 429
 * rather than another 401.
 */
@Injectable()
export class WriteThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly keys: ApiKeyCheck,
    private readonly config: AppConfig,
  ) {
    super(options, storage, reflector);
  }

  /** Writes were counted by the WriteGate before their body was read; here only failed read-key checks count. */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return isWrite(context.switchToHttp().getRequest<Request>()) || this.keys.failure(context) === null;
  }

  /** Counts a write against the limit from its headers alone; throws 429, with Retry-After, over it. */
  async countWrite(request: Request, response: Response): Promise<void> {
    if (this.config.rateLimitPerMinute === 0) return;
    const tracker = await this.getTracker(request as unknown as Record<string, unknown>);
    for (const throttler of this.throttlers) {
      const ttl = throttler.ttl as number;
      const limit = throttler.limit as number;
      const key = this.key(tracker, throttler.name ?? 'default');
      const record = await this.storageService.increment(key, ttl, limit, ttl, throttler.name ?? 'default');
      if (record.isBlocked) {
        response.setHeader('Retry-After', String(record.timeToBlockExpire));
        throw new ThrottlerException(await this.getErrorMessage());
      }
    }
  }

  /** One budget per client across every route, not one per route. */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return this.key(tracker, name);
  }

  private key(tracker: string, name: string): string {
    return createHash('sha256').update(`${name}-${tracker}`).digest('hex');
  }

  protected override async getErrorMessage(): Promise<string> {
    return 'Too many writes or failed key checks; wait for the number of seconds in Retry-After and try again';
  }
}
