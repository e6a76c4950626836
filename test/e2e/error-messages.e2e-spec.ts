import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const LONG = 'x'.repeat(5000);
/** A message may quote at most 40 characters of a 5,000-character input. */
function expectShortEcho(message: string): void {
  expect(message).toContain('x'.repeat(10));
  expect(message).not.toContain('x'.repeat(41));
  expect(message.length).toBeLessThan(200);
}

describe.each(testEngines())('what error messages quote of the request on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([
    ['gzip', Buffer.from('this is not gzip at all')],
    ['gzip', gzipSync(Buffer.from('[{"id":1,"job":"x"}]')).subarray(0, 12)],
    ['deflate', Buffer.from('not deflate either')],
    ['br', Buffer.from([0xff, 0xff, 0xff, 0xff])],
  ])('should answer 400 in its own words when a %s body cannot be decompressed', async (encoding, body) => {
    const res = await request(t.server)
      .post('/migrate/jobs')
      .set(t.auth)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', encoding)
      .send(body)
      .expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: `The request body is not valid ${encoding} data (Content-Encoding: ${encoding})`,
      requestId: res.headers['x-request-id'],
    });
  });

  it.each([
    ['POST', '/backup/'],
    ['GET', '/backup/'],
    ['POST', '/restore/'],
    ['POST', '/migrate/'],
    ['GET', '/no/such/'],
    ['GET', '/dashboard/assets/'],
  ])(
    'should quote at most 40 characters of the path when %s %s<5,000 characters> is refused',
    async (method, prefix) => {
      const path = `${prefix}${LONG}`;
      const body = prefix === '/migrate/' ? [{ id: 1 }] : {};
      const req = method === 'GET' ? request(t.server).get(path) : request(t.server).post(path).set(t.auth).send(body);
      const res = await req;
      expect([400, 404]).toContain(res.status);
      expectShortEcho(res.body.message);
    },
  );

  it.each([
    ['a name that is not a backup', `jobs-${'x'.repeat(240)}`, 400],
    ['a backup name that does not exist', `jobs-${'x'.repeat(240)}.avro`, 404],
  ])('should quote at most 40 characters of the file when a restore names %s', async (_label, file, status) => {
    const res = await request(t.server).post('/restore/jobs').set(t.auth).send({ file }).expect(status);
    expectShortEcho(res.body.message);
  });

  it('should quote at most 40 characters of a file name whose table cannot be told', async () => {
    const res = await request(t.server)
      .post('/migrate')
      .set(t.auth)
      .attach('file', Buffer.from('1,x'), `${'x'.repeat(200)}.csv`)
      .expect(400);
    expectShortEcho(res.body.message);
  });
});
