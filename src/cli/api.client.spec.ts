import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient, KEY_MISSING, KEY_REFUSED, serviceMessage } from './api.client';

function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('ApiClient', () => {
  it('should say the service cannot be reached when nothing listens at the URL', async () => {
    const server = await listen(() => undefined);
    const url = urlOf(server);
    await new Promise((resolve) => server.close(resolve));
    await expect(new ApiClient(url).getJson('/health')).rejects.toThrow(
      `cannot reach the service at ${url}: connection refused`,
    );
  });

  it('should send the key as a bearer token on writes, and say it was refused or missing when the service answers 401', async () => {
    const seen: (string | undefined)[] = [];
    const server = await listen((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"statusCode":401,"message":"x"}');
    });
    await expect(new ApiClient(urlOf(server), 'wrong').postJson('/backup/jobs')).rejects.toThrow(KEY_REFUSED);
    await expect(new ApiClient(urlOf(server)).postJson('/backup/jobs')).rejects.toThrow(KEY_MISSING);
    server.close();
    expect(seen).toEqual(['Bearer wrong', undefined]);
  });

  it("should show the service's own message when it answers an error", async () => {
    const server = await listen((_req, res) => {
      const body = { statusCode: 400, error: 'Bad Request', message: 'unknown table: cars' };
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await expect(new ApiClient(urlOf(server)).getJson('/backup/cars')).rejects.toThrow(
      'unknown table: cars (400 Bad Request)',
    );
    server.close();
  });

  it('should ask whether the URL is right when the answer is not the JSON of the service', async () => {
    const server = await listen((_req, res) => res.writeHead(200).end('<html></html>'));
    await expect(new ApiClient(urlOf(server)).getJson('/migrate/runs')).rejects.toThrow(/did not answer JSON.*--url/);
    server.close();
  });
});

describe('serviceMessage', () => {
  it('should join a list of messages and ignore bodies that are not the error shape', () => {
    expect(serviceMessage('{"message":["a","b"]}')).toBe('a; b');
    expect(serviceMessage('<html>')).toBeUndefined();
  });
});
