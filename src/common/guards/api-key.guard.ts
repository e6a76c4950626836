import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppConfig } from '../../config/app-config';
import { DomainError } from '../errors/domain-error';
import { OPEN_READ } from './open-read.decorator';

/**
 * Every write (POST) needs `Authorization: Bearer <API_KEY>`. Reads are open, unless READ_API_KEY
 * is set: then reads need READ_API_KEY or API_KEY, except routes marked @OpenRead().
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly writeKey: Buffer;
  private readonly readKey: Buffer | null;

  constructor(
    config: AppConfig,
    private readonly reflector: Reflector,
  ) {
    this.writeKey = digest(config.apiKey);
    this.readKey = config.readApiKey === null ? null : digest(config.readApiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (request.method === 'POST') {
      this.check(request, [this.writeKey], 'API_KEY');
      return true;
    }
    if (this.readKey === null) return true;
    if (this.reflector.getAllAndOverride<boolean>(OPEN_READ, [context.getHandler(), context.getClass()])) return true;
    this.check(request, [this.readKey, this.writeKey], 'READ_API_KEY');
    return true;
  }

  private check(request: Request, keys: Buffer[], name: string): void {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new DomainError('AUTH_MISSING_KEY', `This endpoint needs the header Authorization: Bearer <${name}>`);
    }
    // Comparing digests keeps the comparison constant-time whatever the length of the key sent;
    // every key is compared, so the time does not tell which one matched.
    const sent = digest(match[1]);
    let valid = false;
    for (const key of keys) valid = timingSafeEqual(sent, key) || valid;
    if (!valid) throw new DomainError('AUTH_INVALID_KEY', 'The API key is not valid');
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
