import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const READ_KEY = 'read-only-key-0123456789';
const PROTECTED_READS = [
  '/reports/hires-by-quarter?year=2021',
  '/reports/departments-above-mean?year=2021',
  '/reports/hires-by-quarter?year=2021&format=csv',
  '/reports/years',
  '/migrate/runs',
  '/migrate/runs/1',
  '/backup/departments',
];
const OPEN_READS = ['/health', '/dashboard', '/dashboard/assets/dashboard.js', '/docs', '/docs-json'];

describe.each(testEngines())('read key on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine, { readApiKey: READ_KEY });
    await request(t.server)
      .post('/migrate/departments')
      .set(t.auth)
      .send([{ id: 1, department: 'Finance' }])
      .expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(PROTECTED_READS)('should answer 401 without a key and 200 with either key when reading %s', async (path) => {
    const missing = await request(t.server).get(path).expect(401);
    expect(missing.body).toMatchObject({
      code: 'AUTH_MISSING_KEY',
      message: 'This endpoint needs the header Authorization: Bearer <READ_API_KEY>',
    });
    const wrong = await request(t.server).get(path).set('Authorization', 'Bearer not-the-key-0123456789').expect(401);
    expect(wrong.body.code).toBe('AUTH_INVALID_KEY');
    await request(t.server).get(path).set('Authorization', `Bearer ${READ_KEY}`).expect(200);
    await request(t.server).get(path).set(t.auth).expect(200);
  });

  it.each(OPEN_READS)('should keep %s open when a read key is set', async (path) => {
    const res = await request(t.server).get(path).redirects(1);
    expect(res.status).toBe(200);
  });

  it('should refuse a write with the read key and write nothing', async () => {
    await request(t.server)
      .post('/migrate/departments')
      .set('Authorization', `Bearer ${READ_KEY}`)
      .send([{ id: 2, department: 'Sales' }])
      .expect(401);
    const rows = await t.dataSource.query('SELECT id FROM departments ORDER BY id');
    expect(rows.map((r: { id: number }) => Number(r.id))).toEqual([1]);
  });

  it('should allow no inline script: a CSP without unsafe-inline for scripts and no script bodies in the page', async () => {
    const res = await request(t.server).get('/dashboard').expect(200);
    const csp = String(res.headers['content-security-policy']);
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
    expect(scriptSrc).toContain("'self'");
    expect(scriptSrc).not.toContain('unsafe-inline');
    expect(scriptSrc).not.toContain('unsafe-eval');
    expect(csp).toMatch(/script-src-attr 'none'/);
    const scripts = [...res.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/dashboard\/assets\/[\w.-]+\.js"/);
      expect(body.trim()).toBe('');
    }
    expect(res.text).not.toMatch(/\son[a-z]+\s*=/i);
    expect(res.text).not.toMatch(/javascript:/i);
  });
});

describe('reads without a read key', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['/reports/hires-by-quarter', '/migrate/runs', '/backup/departments'])(
    'should keep %s open when READ_API_KEY is not set',
    async (path) => {
      await request(t.server).get(path).expect(200);
    },
  );
});

const CHROMIUM = '/usr/bin/chromium';
const inBrowser = existsSync(CHROMIUM) ? describe : describe.skip;

inBrowser('the dashboard with a read key, in Chromium', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp('sqlite', { readApiKey: READ_KEY });
    await t.app.listen(0, '127.0.0.1');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('should ask for the read key and then show the reports when a read key is set', async () => {
    const base = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    const page = await browser.newPage({ acceptDownloads: true });
    await page.goto(`${base}/dashboard?year=2021`);
    await page.waitForSelector('body[data-state="error"]');
    await expect(page.isVisible('[data-testid="key-form"]')).resolves.toBe(true);

    await page.fill('#read-key', READ_KEY);
    await page.click('[data-testid="key-form"] button[type="submit"]');
    await page.waitForSelector('body[data-state="ready"]');
    await expect(page.isVisible('[data-testid="key-form"]')).resolves.toBe(false);
    await expect(page.textContent('[data-testid="kpi-hires"]')).resolves.toBe('0');
    expect(page.url()).not.toContain(READ_KEY);

    // A download link cannot send the key: the page fetches the file with it and saves it from a blob URL.
    await page.evaluate(`document.getElementById('content').hidden = false`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-above')]);
    expect(download.url()).toMatch(/^blob:/);
    const saved = await download.path();
    expect(readFileSync(saved, 'utf8')).toBe('id,department,hired\r\n');
  });
});
