import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import { DomainError } from '../errors/domain-error';
import { ErrorTranslator } from '../errors/error-translator';
import { REQUEST_ID_HEADER } from '../http/request-id';
import { MAX_JSON_DEPTH, MAX_JSON_VALUES } from '../json-depth';
import { shortened } from '../text/echo';

/** Where the answer's error code is left for the access line (`response.locals`). */
export const ERROR_CODE_LOCAL = 'errorCode';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  [key: string]: unknown;
}

/**
 * The one place where errors become HTTP answers `{ statusCode, error, message }`.
 * Domain errors carry their code and details; Nest's HTTP exceptions keep their status; anything
 * else is a 500 with a correlation id, logged once, and never shows SQL, stacks or paths. Every
 * answer names the request's id as `requestId`.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  /** `translator`: how a lower layer's errors (a lost database) become domain errors. */
  constructor(@Optional() private readonly translator?: ErrorTranslator) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const response = ctx.getResponse<Response>();
    const request = ctx.getRequest<Request>();
    const requestId = requestIdOf(response);
    const body = { ...this.toBody(exception, request, requestId), requestId };
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (body.statusCode === 429) {
      const retry = response.getHeader('Retry-After');
      if (retry === undefined) response.setHeader('Retry-After', '60');
    }
    const { code } = body as ErrorBody;
    if (typeof code === 'string') (response.locals as Record<string, unknown>)[ERROR_CODE_LOCAL] = code;
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, request: Request, requestId: string): ErrorBody {
    const translated = this.translator?.translate(exception);
    if (translated) {
      this.logger.warn(`${translated.code} on ${request.method} ${request.path}: ${String(exception)}`);
      exception = translated;
    }
    if (exception instanceof DomainError) {
      return {
        statusCode: exception.status,
        error: reason(exception.status),
        message: exception.message,
        code: exception.code,
        ...exception.details,
      };
    }
    const parserError = bodyParserError(exception);
    if (parserError) {
      const message = parserMessage(parserError, request);
      return { statusCode: parserError.status, error: reason(parserError.status), message };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { statusCode: status, error: reason(status), message: httpMessage(exception, request) };
    }
    // The request's id is the correlation id: the one the client and every log line of the request carry.
    const correlationId = requestId;
    this.logger.error(
      `Unexpected error ${correlationId} on ${request.method} ${request.path}`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      error: reason(500),
      message: `An unexpected error occurred; quote correlation id ${correlationId} when reporting it`,
      correlationId,
    };
  }
}

/** Set on every response by the request-context middleware; a new one should a request ever lack it. */
function requestIdOf(response: Response): string {
  const id = response.getHeader(REQUEST_ID_HEADER);
  return typeof id === 'string' ? id : randomUUID();
}

function reason(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

function httpMessage(exception: HttpException, request: Request): string {
  if (exception.getStatus() === 404 && exception.constructor.name === 'NotFoundException') {
    const response = exception.getResponse();
    if (typeof response === 'object' && String((response as { message?: unknown }).message).startsWith('Cannot ')) {
      return `No route for ${request.method} ${shortened(request.path)}`;
    }
  }
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string') return message;
  return exception.message;
}

interface BodyParserError {
  status: number;
  type: string;
}

/** body-parser's errors, raw or wrapped by the Express adapter; their own messages quote internals. */
function bodyParserError(exception: unknown): BodyParserError | null {
  for (const candidate of [exception, exception instanceof HttpException ? exception.cause : undefined]) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const { status, type, errno } = candidate as { status?: unknown; type?: unknown; errno?: unknown };
    if (typeof status !== 'number' || status < 400 || status >= 500) continue;
    if (typeof type === 'string') return { status, type };
    // zlib's own error (bad gzip, deflate or brotli data), which body-parser passes on untyped.
    if (typeof errno === 'number') return { status, type: 'encoding.invalid' };
  }
  return null;
}

function parserMessage(error: BodyParserError, request: Request): string {
  switch (error.type) {
    case 'encoding.invalid': {
      const encoding = shortened(String(request.headers['content-encoding'] ?? '').toLowerCase());
      return `The request body is not valid ${encoding} data (Content-Encoding: ${encoding})`;
    }
    case 'entity.parse.failed':
      return 'The request body is not valid JSON';
    case 'entity.too.large':
      return 'The request body is too large';
    case 'entity.too.deep':
      return `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep`;
    case 'entity.too.many':
      return `The JSON body holds more than ${MAX_JSON_VALUES} values`;
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return 'The request body must be UTF-8';
    default:
      return 'The request body could not be read';
  }
}
