import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfig } from '../../config/app-config';
import { DomainError } from '../errors/domain-error';
import { ApiKeyCheck, ApiKeyGuard } from './api-key.guard';

function contextFor(method: string, authorization?: string): ExecutionContext {
  const request = { method, headers: authorization === undefined ? {} : { authorization } };
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

describe('ApiKeyGuard', () => {
  const guard = new ApiKeyGuard(
    new ApiKeyCheck(
      new AppConfig({ database: { type: 'sqlite', path: ':memory:' }, apiKey: 'the-right-key-123' }),
      new Reflector(),
    ),
  );

  it('should let reads through without a key', () => {
    expect(guard.canActivate(contextFor('GET'))).toBe(true);
  });

  it('should accept a POST with the right bearer key', () => {
    expect(guard.canActivate(contextFor('POST', 'Bearer the-right-key-123'))).toBe(true);
  });

  it.each([
    ['no header', undefined, 'AUTH_MISSING_KEY'],
    ['another scheme', 'Basic the-right-key-123', 'AUTH_MISSING_KEY'],
    ['a wrong key', 'Bearer the-wrong-key-123', 'AUTH_INVALID_KEY'],
    ['a prefix of the key', 'Bearer the-right', 'AUTH_INVALID_KEY'],
  ])('should refuse a POST with %s', (_label, header, code) => {
    let thrown: unknown;
    try {
      guard.canActivate(contextFor('POST', header));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe(code);
    expect((thrown as DomainError).status).toBe(401);
  });
});
