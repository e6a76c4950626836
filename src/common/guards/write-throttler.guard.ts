import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request } from 'express';

/** Rate limiting applies to writes (POST) only; reads and the dashboard are never throttled. */
@Injectable()
export class WriteThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.switchToHttp().getRequest<Request>().method !== 'POST';
  }

  protected override async getErrorMessage(): Promise<string> {
    return 'Too many write requests; wait for the number of seconds in Retry-After and try again';
  }
}
