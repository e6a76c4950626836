import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { ApiKeyCheck, isWrite } from './api-key.guard';

/**
 * RATE_LIMIT_PER_MINUTE counts, per client, its writes (POST, DELETE) and its failed key checks, so that
 * keys cannot be guessed at full speed; reads that pass and the dashboard are never throttled.
 * It runs before the key guard, so that a client over the limit gets 429 rather than another 401.
 */
@Injectable()
export class WriteThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly keys: ApiKeyCheck,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return !isWrite(context.switchToHttp().getRequest<Request>()) && this.keys.failure(context) === null;
  }

  /** One budget per client across every route, not one per route. */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return createHash('sha256').update(`${name}-${tracker}`).digest('hex');
  }

  protected override async getErrorMessage(): Promise<string> {
    return 'Too many writes or failed key checks; wait for the number of seconds in Retry-After and try again';
  }
}
