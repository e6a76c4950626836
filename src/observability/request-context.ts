import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { REQUEST_ID_HEADER } from '../common/http/request-id';

/** What every log line written while a request is handled carries. */
interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** A client's id is kept when it is short and plain, so that it can go into logs and headers as it is. */
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The id of the request being handled, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** The id this request carries: the client's X-Request-Id when sane, else a new one. */
export function requestIdOf(request: Request): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && SANE_ID.test(sent) ? sent : randomUUID();
}

/**
 * Gives every request its id, echoes it in the response, and handles the rest of the request inside
 * it, so that whatever logs meanwhile (services, the exception filter) can name the request.
 */
export function requestContext(request: Request, response: Response, next: NextFunction): void {
  const context = { requestId: requestIdOf(request) };
  response.setHeader(REQUEST_ID_HEADER, context.requestId);
  // The body's events come from the socket, outside this context: an upload parser's callbacks
  // (a file in a multipart body, and the run that loads it) would log without the id otherwise.
  const emit = request.emit;
  request.emit = function (this: Request, ...args: Parameters<Request['emit']>) {
    return storage.run(context, () => emit.apply(this, args));
  } as Request['emit'];
  storage.run(context, next);
}
