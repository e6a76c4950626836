import { CliError } from './cli.error';
import { EventStreamParser, type StreamEvent } from './event.stream';

export interface Upload {
  body: AsyncIterable<Uint8Array>;
  contentType: string;
  contentLength: number;
}

export const KEY_REFUSED = 'the API key was refused; pass --key or set API_KEY';
export const KEY_MISSING = 'this command needs the API key; pass --key or set API_KEY';

/** The service's HTTP API, with every failure turned into one line a person can act on. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly key?: string,
  ) {}

  async getJson<T>(path: string): Promise<T> {
    return this.json<T>(await this.request('GET', path, { headers: { accept: 'application/json' } }), path);
  }

  async getText(path: string, accept: string): Promise<string> {
    return (await this.request('GET', path, { headers: { accept } })).text();
  }

  /** The body as it arrives, for text downloads that may be large (the rows to fix). */
  async download(path: string, accept: string): Promise<AsyncIterable<Uint8Array>> {
    const response = await this.request('GET', path, { headers: { accept } });
    const body = response.body ?? (async function* () {})();
    const baseUrl = this.baseUrl;
    return (async function* () {
      try {
        yield* body;
      } catch (error) {
        throw networkError(baseUrl, error);
      }
    })();
  }

  async postJson<T>(path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { ...init.headers, 'content-type': 'application/json' };
    }
    return this.json<T>(await this.request('POST', path, init), path);
  }

  /** A GET whose body the caller reads as it arrives (a backup file). */
  getStream(path: string): Promise<Response> {
    return this.request('GET', path, { headers: { accept: 'application/octet-stream' } });
  }

  async delete(path: string): Promise<void> {
    await (await this.request('DELETE', path, { headers: { accept: 'application/json' } })).arrayBuffer();
  }

  /** Streams the body; the server reads it as it arrives. */
  async postUpload<T>(path: string, upload: Upload): Promise<T> {
    const init: RequestInit & { duplex: 'half' } = {
      body: upload.body,
      duplex: 'half',
      headers: {
        accept: 'application/json',
        'content-type': upload.contentType,
        'content-length': String(upload.contentLength),
      },
    };
    return this.json<T>(await this.request('POST', path, init), path);
  }

  /** Reads a text/event-stream until the service closes it, handing on each event as it comes. */
  async followEvents(path: string, onEvent: (event: StreamEvent) => void): Promise<void> {
    const response = await this.request('GET', path, { headers: { accept: 'text/event-stream' } });
    if (!response.body) return;
    const parser = new EventStreamParser();
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        for (const event of parser.push(decoder.decode(chunk, { stream: true }))) onEvent(event);
      }
    } catch (error) {
      throw networkError(this.baseUrl, error);
    }
  }

  private async request(method: string, path: string, init: RequestInit): Promise<Response> {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
    if (this.key && method !== 'GET') headers.authorization = `Bearer ${this.key}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { ...init, method, headers });
    } catch (error) {
      throw networkError(this.baseUrl, error);
    }
    if (response.status === 401) throw new CliError(this.key ? KEY_REFUSED : KEY_MISSING);
    if (!response.ok) throw await httpError(this.baseUrl, method, path, response);
    return response;
  }

  private async json<T>(response: Response, path: string): Promise<T> {
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`the service at ${this.baseUrl} did not answer JSON for ${path}; is --url right?`);
    }
  }
}

/** fetch() rejects with "fetch failed"; the reason a person can act on is in its cause. */
export function networkError(baseUrl: string, error: unknown): CliError {
  const cause = (error as { cause?: unknown }).cause ?? error;
  if (cause instanceof CliError) return cause;
  const code = errorCode(cause);
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host not found',
    ECONNRESET: 'the connection was reset',
    EPIPE: 'the connection was closed while sending',
    UND_ERR_SOCKET: 'the connection was closed',
    ETIMEDOUT: 'the connection timed out',
    UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
  };
  const reason = (code && reasons[code]) || (cause instanceof Error ? cause.message : String(cause));
  return new CliError(`cannot reach the service at ${baseUrl}: ${reason}`);
}

function errorCode(cause: unknown): string | undefined {
  const withCode = cause as { code?: unknown; errors?: { code?: unknown }[] };
  if (typeof withCode?.code === 'string') return withCode.code;
  const inner = withCode?.errors?.find((e) => typeof e?.code === 'string');
  return inner?.code as string | undefined;
}

async function httpError(baseUrl: string, method: string, path: string, response: Response): Promise<CliError> {
  const text = await response.text().catch(() => '');
  const message = serviceMessage(text);
  if (message) return new CliError(`${message} (${response.status} ${response.statusText || 'error'})`);
  return new CliError(
    `the service at ${baseUrl} answered ${response.status} ${response.statusText} for ${method} ${path}; is --url right?`,
  );
}

/** The `message` of the service's `{ statusCode, error, message }` error body, if that is what came back. */
export function serviceMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (Array.isArray(body.message)) return body.message.join('; ');
    return typeof body.message === 'string' && body.message ? body.message : undefined;
  } catch {
    return undefined;
  }
}
