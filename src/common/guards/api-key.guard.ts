import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppConfig } from '../../config/app-config';
import { DomainError } from '../errors/domain-error';
import { OPEN_READ } from './open-read.decorator';

/** Whether a request is a write: writes always need API_KEY and always count against the rate limit. */
export function isWrite(request: Request): boolean {
  return request.method === 'POST' || request.method === 'DELETE';
}

/**
 * The key rule. Every write (POST, DELETE) needs `Authorization: Bearer <API_KEY>`. Reads are open, unless
 * READ_API_KEY is set: then reads need READ_API_KEY or API_KEY, except routes marked @OpenRead().
 * Shared by the throttler (a failed check counts against the rate limit) and the key guard.
 */
@Injectable()
export class ApiKeyCheck {
  private readonly writeKey: Buffer;
  private readonly readKey: Buffer | null;

  constructor(
    config: AppConfig,
    private readonly reflector: Reflector,
  ) {
    this.writeKey = digest(config.apiKey);
    this.readKey = config.readApiKey === null ? null : digest(config.readApiKey);
  }

  /** Why the request may not pass, or null when it may. */
  failure(context: ExecutionContext): DomainError | null {
    const request = context.switchToHttp().getRequest<Request>();
    if (isWrite(request)) return this.check(request, [this.writeKey], 'API_KEY');
    if (this.readKey === null) return null;
    if (this.reflector.getAllAndOverride<boolean>(OPEN_READ, [context.getHandler(), context.getClass()])) return null;
    return this.check(request, [this.readKey, this.writeKey], 'READ_API_KEY');
  }

  /** Why a write may not pass, from its headers alone (before its body is read), or null when it may. */
  writeFailure(request: Request): DomainError | null {
    return this.check(request, [this.writeKey], 'API_KEY');
  }

  private check(request: Request, keys: Buffer[], name: string): DomainError | null {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      return new DomainError('AUTH_MISSING_KEY', `This endpoint needs the header Authorization: Bearer <${name}>`);
    }
    // Comparing digests keeps the comparison constant-time whatever the length of the key sent;
    // every key is compared, so the time does not tell which one matched.
    const sent = digest(match[1]);
    let valid = false;
    for (const key of keys) valid = timingSafeEqual(sent, key) || valid;
    return valid ? null : new DomainError('AUTH_INVALID_KEY', 'The API key is not valid');
  }
}

/** Refuses a request that fails the key rule (401). Runs after the throttler, which counts the failure. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly keys: ApiKeyCheck) {}

  canActivate(context: ExecutionContext): boolean {
    const failure = this.keys.failure(context);
    if (failure) throw failure;
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
