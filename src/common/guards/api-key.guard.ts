import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppConfig } from '../../config/app-config';
import { DomainError } from '../errors/domain-error';

/** Every write (POST) needs `Authorization: Bearer <API_KEY>`; reads are open. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(config: AppConfig) {
    this.expected = digest(config.apiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (request.method !== 'POST') return true;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new DomainError('AUTH_MISSING_KEY', 'This endpoint needs the header Authorization: Bearer <API_KEY>');
    }
    // Comparing digests keeps the comparison constant-time whatever the length of the key sent.
    if (!timingSafeEqual(digest(match[1]), this.expected)) {
      throw new DomainError('AUTH_INVALID_KEY', 'The API key is not valid');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
