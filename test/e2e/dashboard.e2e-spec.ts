import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { readFileSync } from 'node:fs';
import { compareNames } from '../../src/common/name-order';
import { MigrationRunsRepository } from '../../src/migration/repositories/migration-runs.repository';
import { RunLifecycle } from '../../src/migration/run-lifecycle.service';
import { globantData, seed } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const CHROMIUM = '/usr/bin/chromium';
const GLOBANT = join(__dirname, '..', 'fixtures', 'globant');
const ARTIFACTS = join(__dirname, '..', 'artifacts');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  process.stderr.write(
    `Skipping the dashboard browser test: ${CHROMIUM} is not installed (apt-get install chromium)\n`,
  );
}
const describeInBrowser = haveChromium ? describe : describe.skip;

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core in the page; evaluated through the debugging protocol, so the page's CSP still forbids inline scripts. */
async function runAxe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    type Result = { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] };
    const axe = (globalThis as unknown as { axe: { run(o: object): Promise<{ violations: Result[] }> } }).axe;
    const results = await axe.run({ resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
}

describe.each(testEngines())('dashboard on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
    await seed(t.dataSource, globantData());
  });
  afterAll(async () => {
    await t.close();
  });

  it('should serve the page and its assets from the service itself', async () => {
    const page = await request(t.server).get('/dashboard').expect(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const sources = [...page.text.matchAll(/<(?:script src|link rel="stylesheet" href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources).toEqual(
      expect.arrayContaining([
        '/dashboard/assets/echarts.min.js',
        '/dashboard/assets/dashboard.js',
        '/dashboard/assets/dashboard.css',
      ]),
    );
    for (const source of sources) {
      expect(source.startsWith('/')).toBe(true);
      const asset = await request(t.server).get(source).expect(200);
      expect(asset.headers['content-type']).toMatch(/^text\/(javascript|css)/);
    }
  });

  it('should serve every module the page imports as JavaScript when the browser follows the imports', async () => {
    const seen = new Set<string>();
    const pending = ['dashboard.js'];
    while (pending.length > 0) {
      const name = pending.pop() as string;
      if (seen.has(name)) continue;
      seen.add(name);
      const module = await request(t.server).get(`/dashboard/assets/${name}`).expect(200);
      expect(module.headers['content-type']).toBe('text/javascript; charset=utf-8');
      for (const m of module.text.matchAll(/^import .* from '\.\/([\w-]+\.js)';$/gm)) pending.push(m[1]);
    }
    expect([...seen].sort()).toEqual(['api.js', 'backups.js', 'dashboard.js', 'dom.js', 'reports.js', 'runs.js']);
  });

  it('should keep scripts to this origin and not upgrade requests to HTTPS when the page is served', async () => {
    const res = await request(t.server).get('/dashboard').expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  it('should answer 404 when an asset is not one of the page', async () => {
    await request(t.server).get('/dashboard/assets/index.html').expect(404);
    await request(t.server).get('/dashboard/assets/..%2F..%2Fapp.module.ts').expect(404);
  });

  describeInBrowser('in Chromium', () => {
    let browser: Browser;
    let page: Page;
    let base: string;
    const problems: string[] = [];
    const foreignRequests: string[] = [];

    beforeAll(async () => {
      await t.app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-background-networking',
          '--disable-gpu',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('request', (req) => {
        if (!req.url().startsWith(base)) foreignRequests.push(req.url());
      });
    });
    afterAll(async () => {
      await browser?.close();
    });

    const suffix = engine === 'sqlite' ? '' : `-${engine}`;

    async function open(year: string): Promise<void> {
      await page.goto(`${base}/dashboard?year=${year}`);
      await page.waitForSelector('body[data-state="ready"]', { timeout: 30000 });
    }

    it('should draw both reports as SVG charts with the loaded numbers when the year has hires', async () => {
      const [quarters, above] = await Promise.all([
        request(t.server).get('/reports/hires-by-quarter?year=2021').expect(200),
        request(t.server).get('/reports/departments-above-mean?year=2021').expect(200),
      ]);
      await open('2021');

      const departments = new Set(quarters.body.map((r: { department: string }) => r.department));
      const total = quarters.body.reduce(
        (sum: number, r: Record<string, number>) => sum + r.Q1 + r.Q2 + r.Q3 + r.Q4,
        0,
      );
      expect(await page.textContent('[data-testid="kpi-hires"]')).toBe(total.toLocaleString('en-US'));
      expect(await page.textContent('[data-testid="kpi-departments"]')).toBe(String(departments.size));
      expect(await page.textContent('[data-testid="kpi-above"]')).toBe('7');

      await expect(page.locator('[data-testid="chart-quarters"] svg').count()).resolves.toBe(1);
      await expect(page.locator('[data-testid="chart-above-mean"] svg').count()).resolves.toBe(1);
      const aboveText = await page.locator('[data-testid="chart-above-mean"] svg').textContent();
      expect(aboveText).toContain('Support');
      expect(aboveText).toContain('216');
      expect(aboveText).toContain('Mean');
      const quartersText = await page.locator('[data-testid="chart-quarters"] svg').textContent();
      for (const q of ['Q1', 'Q2', 'Q3', 'Q4']) expect(quartersText).toContain(q);
      const labels = await page.$$eval('[data-testid="chart-above-mean"] svg text', (nodes) =>
        nodes.map((n) => n.textContent ?? ''),
      );
      for (const row of above.body) expect(labels).toContain(String(row.hired));
      // The bars ECharts drew come from the option it holds for the chart element.
      const bars = await page.$eval('[data-testid="chart-above-mean"]', (el) => {
        type Chart = { getOption(): { series: { data: number[] }[] } };
        const api = (globalThis as unknown as { echarts: { getInstanceByDom(e: unknown): Chart } }).echarts;
        return api.getInstanceByDom(el).getOption().series[0].data;
      });
      expect(bars).toEqual(above.body.map((r: { hired: number }) => r.hired));
      expect(bars).toHaveLength(7);

      await expect(page.locator('[data-testid="table-quarters"] tbody tr').count()).resolves.toBe(933);
      const footer = await page.locator('[data-testid="table-total"] td').last().textContent();
      expect(footer).toBe(total.toLocaleString('en-US'));

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-2021${engine === 'sqlite' ? '' : `-${engine}`}.png`) });
    });

    it('should filter the table by department and sort it by a clicked header', async () => {
      await open('2021');
      await page.selectOption('[data-testid="department-filter"]', 'Support');
      const departmentsShown = await page.$$eval('[data-testid="table-quarters"] tbody tr td:first-child', (cells) => [
        ...new Set(cells.map((c) => c.textContent)),
      ]);
      expect(departmentsShown).toEqual(['Support']);
      const footer = await page.locator('[data-testid="table-total"] td').last().textContent();
      expect(footer).toBe('216');

      await page.click('[data-testid="table-quarters"] th[data-key="total"] button');
      const totals = await page.$$eval('[data-testid="table-quarters"] tbody tr td:last-child', (cells) =>
        cells.map((c) => Number(c.textContent)),
      );
      expect(totals).toEqual([...totals].sort((a, b) => b - a));
      expect(totals[0]).toBeGreaterThan(totals[totals.length - 1]);
    });

    it('should load the next year when its button is pressed', async () => {
      const next = await request(t.server).get('/reports/hires-by-quarter?year=2022').expect(200);
      const total = next.body.reduce((sum: number, r: Record<string, number>) => sum + r.Q1 + r.Q2 + r.Q3 + r.Q4, 0);
      expect(total).toBeGreaterThan(0);
      await open('2021');
      await page.click('#year-next');
      await page.waitForSelector('body[data-state="ready"]');
      expect(new URL(page.url()).searchParams.get('year')).toBe('2022');
      expect(await page.textContent('[data-testid="kpi-hires"]')).toBe(total.toLocaleString('en-US'));
      await expect(page.locator('[data-testid="table-quarters"] tbody tr').count()).resolves.toBe(next.body.length);
    });

    it('should offer the years that have hires and load the one picked, keeping it in the URL', async () => {
      const years: number[] = (await request(t.server).get('/reports/years').expect(200)).body;
      expect(years.length).toBeGreaterThan(1);
      await open('2021');
      await page.waitForFunction(`document.querySelectorAll('#year-select option').length === ${years.length}`);
      const offered = await page.$$eval('[data-testid="year-select"] option', (options) =>
        options.map((o) => o.getAttribute('value')),
      );
      expect(offered).toEqual([...years].reverse().map(String));
      const other = String(years.find((y) => y !== 2021));
      await page.selectOption('[data-testid="year-select"]', other);
      await page.waitForURL((url) => url.searchParams.get('year') === other);
      await page.waitForSelector('body[data-state="ready"]');
      expect(await page.textContent('[data-testid="kpi-hires"]')).not.toBe('0');
    });

    it('should show the empty state and offer the year with the others when a year without hires is asked for', async () => {
      await open('2019');
      await page.waitForSelector('body[data-state="ready"][data-empty="true"]');
      await page.waitForSelector('#year-select option[value="2019"]:text("2019 (no hires)")', { state: 'attached' });
      await expect(page.locator('[data-testid="empty-state"]').isVisible()).resolves.toBe(true);
      await expect(page.locator('[data-testid="chart-quarters"]').isVisible()).resolves.toBe(false);
      expect(await page.textContent('[data-testid="kpi-hires"]')).toBe('0');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-empty${engine === 'sqlite' ? '' : `-${engine}`}.png`) });
    });

    it('should list the latest runs and show the reasons of the rejected rows when a run is clicked', async () => {
      const load = await request(t.server)
        .post('/migrate')
        .set(t.auth)
        .field('rejectMode', 'row')
        .attach('file', readFileSync(join(GLOBANT, 'departments.csv')), 'departments.csv')
        .attach('file', readFileSync(join(GLOBANT, 'jobs.csv')), 'jobs.csv')
        .attach('file', readFileSync(join(GLOBANT, 'hired_employees.csv')), 'hired_employees.csv')
        .expect(201);
      const employeesRun = load.body.runs[2];
      const detail = (await request(t.server).get(`/migrate/runs/${employeesRun.id}`).expect(200)).body;
      const reasons: string[] = detail.rejected.flatMap((b: { errors: { reason: string }[] }) =>
        b.errors.map((e) => e.reason),
      );
      expect(reasons).toHaveLength(70);

      await open('2021');
      await page.waitForSelector('[data-testid="table-runs"][data-state="ready"]');
      const row = page.locator(`[data-testid="run-row"][data-run-id="${employeesRun.id}"]`);
      const cells = await row.locator('td').allTextContents();
      expect(await row.locator('[data-testid="run-rejects-csv"]').getAttribute('href')).toBe(
        `/migrate/runs/${employeesRun.id}/rejects.csv`,
      );
      expect(await row.locator('[data-testid="run-dry"]').count()).toBe(0);
      expect(cells.slice(0, 7)).toEqual([
        String(employeesRun.id),
        'completed',
        'hired_employees',
        'hired_employees.csv',
        '1,999',
        '1,929',
        '70',
      ]);
      const listed = await page.$$eval('[data-testid="run-row"]', (rows) =>
        rows.map((r) => Number(r.getAttribute('data-run-id'))),
      );
      expect(listed.slice(0, 3)).toEqual(load.body.runs.map((r: { id: number }) => r.id).reverse());

      await row.click();
      await page.waitForSelector(`[data-testid="run-detail"][data-run-id="${employeesRun.id}"]`);
      expect(await page.textContent('[data-testid="run-detail-summary"]')).toContain('70 rejected');
      expect(await page.getAttribute('[data-testid="run-detail"] [data-testid="run-rejects-csv"]', 'href')).toBe(
        `/migrate/runs/${employeesRun.id}/rejects.csv`,
      );
      const shown = await page.locator('[data-testid="reject-reason"]').allTextContents();
      expect(shown).toEqual(reasons);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({
        path: join(ARTIFACTS, `dashboard-runs${engine === 'sqlite' ? '' : `-${engine}`}.png`),
        fullPage: true,
      });
    });

    it('should refresh a running run until it shows as ended', async () => {
      const runs = t.app.get(MigrationRunsRepository);
      const [run] = await t.app
        .get(RunLifecycle)
        .queue([{ table: 'jobs', file: 'jobs-live.csv', batchSize: 10, rejectMode: 'batch' }]);
      await open('2021');
      const row = `[data-testid="run-row"][data-run-id="${run.id}"]`;
      await page.waitForSelector(`${row}[data-status="running"]`);
      await runs.finishRun(run.id, { status: 'failed', error: 'The file is empty', headerSkipped: false });
      await page.waitForSelector(`${row}[data-status="failed"]`, { timeout: 20_000 });
      expect(await page.textContent(`${row} [data-testid="run-status"]`)).toBe('failed');
      expect(await page.textContent(`${row} [data-testid="run-error"]`)).toBe('The file is empty');
      await page.click(row);
      await page.waitForSelector(`[data-testid="run-detail"][data-run-id="${run.id}"]`);
      expect(await page.textContent('[data-testid="run-detail-failure"]')).toBe('Why it failed: The file is empty');
    });

    it('should mark a dry run as such when the API says a run was one', async () => {
      // The page's half of the contract: the flag is taken from the answer and shown, whatever wrote it.
      const pattern = `${base}/migrate/runs?limit=*`;
      let dryId = 0;
      await page.route(pattern, async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        body.items[0].dryRun = true;
        dryId = body.items[0].id;
        await route.fulfill({ response, json: body });
      });
      try {
        await open('2021');
        await page.waitForSelector('[data-testid="table-runs"][data-state="ready"]');
        const marked = await page.$$eval('[data-testid="run-row"]', (rows) =>
          rows
            .filter((r) => r.querySelector('[data-testid="run-dry"]'))
            .map((r) => Number(r.getAttribute('data-run-id'))),
        );
        expect(marked).toEqual([dryId]);
        expect(await page.textContent(`[data-run-id="${dryId}"] [data-testid="run-dry"]`)).toBe('dry run');
      } finally {
        await page.unroute(pattern);
      }
    });

    it('should mark a run that wrote nothing apart from a clean one, with its hint, when every batch was rejected', async () => {
      const load = await request(t.server)
        .post('/migrate')
        .set(t.auth)
        .attach('file', readFileSync(join(GLOBANT, 'hired_employees.csv')), 'hired_employees.csv')
        .expect(201);
      const [run] = load.body.runs;
      expect(run).toMatchObject({
        rowsInserted: 0,
        rowsRejected: 1999,
        hint: expect.stringContaining('rejectMode=row'),
      });
      await open('2021');
      await page.waitForSelector('[data-testid="table-runs"][data-state="ready"]');
      const marked = await page.$$eval('[data-testid="run-row"][data-outcome="nothing-written"]', (rows) =>
        rows.map((r) => Number(r.getAttribute('data-run-id'))),
      );
      expect(marked).toEqual([run.id]);
      const row = `[data-testid="run-row"][data-run-id="${run.id}"]`;
      expect(await page.textContent(`${row} [data-testid="run-nothing-written"]`)).toBe('nothing written');
      expect(await page.textContent(`${row} [data-testid="run-hint"]`)).toBe(run.hint);
      await page.click(row);
      await page.waitForSelector(`[data-testid="run-detail"][data-run-id="${run.id}"]`);
      expect(await page.textContent('[data-testid="run-detail-failure"]')).toBe(`Nothing written: ${run.hint}`);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-nothing-written${suffix}.png`) });
    });

    it('should write long department names out in full and say what the job count counts at 1280 px', async () => {
      await page.setViewportSize({ width: 1280, height: 900 });
      try {
        await open('2021');
        const jobsCard = page.locator('.kpi', { has: page.locator('[data-testid="kpi-jobs"]') });
        expect(await jobsCard.locator('.kpi-label').textContent()).toBe('Job titles hired');
        for (const chart of ['chart-quarters', 'chart-above-mean']) {
          const labels = await page.$$eval(`[data-testid="${chart}"] svg text`, (nodes) =>
            nodes.map((n) => n.textContent ?? ''),
          );
          expect({ chart, cut: labels.filter((l) => l.includes('...') || l.includes('…')) }).toEqual({
            chart,
            cut: [],
          });
          expect(labels.join(' ').replace(/\s+/g, ' ')).toContain('Business Development');
        }
        mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: join(ARTIFACTS, `dashboard-1280${suffix}.png`) });
      } finally {
        await page.setViewportSize({ width: 1400, height: 900 });
      }
    });

    it("should list each table's backups, newest first", async () => {
      const backup = await request(t.server).post('/backup/departments').set(t.auth).expect(201);
      await open('2021');
      await page.waitForSelector('[data-testid="backups"][data-state="ready"]');
      const departments = await page
        .locator('[data-testid="backups-departments"] [data-testid="backup-row"] td')
        .allTextContents();
      expect(departments.slice(0, 2)).toEqual([backup.body.file, '12 rows']);
      const link = page.locator('[data-testid="backups-departments"] [data-testid="backup-download"]').first();
      expect(await link.getAttribute('href')).toBe(`/backup/departments/${backup.body.file}`);
      expect(await link.getAttribute('download')).toBe(backup.body.file);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-1400${suffix}.png`), fullPage: true });
      expect(await page.textContent('[data-testid="backups-jobs"]')).toContain('No backup yet');
      // Managers read this page: no HTTP verbs and routes.
      expect(await page.textContent('[data-testid="backups"]')).not.toMatch(/POST \//);
    });

    it('should fit a 390 px phone with no sideways scroll when the year has hires', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      try {
        await open('2021');
        await page.waitForSelector('[data-testid="backups"][data-state="ready"]');
        mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: join(ARTIFACTS, `dashboard-390${suffix}.png`), fullPage: true });
        const width = await page.evaluate('document.documentElement.scrollWidth');
        expect(width).toBeLessThanOrEqual(390);
        // Bars lie down on a phone, so that every department's name is written out in full.
        await expect(page.locator('.chart-horizontal').count()).resolves.toBe(2);
        const names = await page.$$eval('[data-testid="chart-quarters"] svg text', (nodes) =>
          nodes.map((n) => n.textContent ?? ''),
        );
        expect(names).toEqual(expect.arrayContaining(['Support', 'Human Resources', 'Accounting']));
        // All seven columns of the report table show, with no scrolling inside its box either.
        const table = await page.$eval('[data-testid="table-quarters"]', (el) => ({
          width: el.scrollWidth,
          box: el.parentElement?.clientWidth ?? 0,
        }));
        expect(table.width).toBeLessThanOrEqual(table.box);
        // The runs table shows Read, Inserted and Rejected inside its box; what is a scroll away is said.
        await page.waitForSelector('[data-testid="table-runs"][data-state="ready"]');
        await page.locator('#table-runs').screenshot({ path: join(ARTIFACTS, `dashboard-390-runs${suffix}.png`) });
        const runs = await page.$eval('[data-testid="table-runs"]', (el) => {
          const wrap = el.parentElement as typeof el;
          const box = wrap.getBoundingClientRect();
          const headers = [...el.querySelectorAll('thead th')].map((th) => {
            const r = th.getBoundingClientRect();
            return { name: th.textContent, inside: r.width > 0 && r.left >= box.left && r.right <= box.right + 0.5 };
          });
          return { headers, scrolls: wrap.scrollWidth > wrap.clientWidth + 1 };
        });
        const inside = runs.headers.filter((h) => h.inside).map((h) => h.name);
        expect(inside).toEqual(expect.arrayContaining(['Read', 'Inserted', 'Rejected']));
        await expect(page.locator('[data-testid="runs-scroll-cue"]').isVisible()).resolves.toBe(runs.scrolls);
      } finally {
        await page.setViewportSize({ width: 1400, height: 900 });
      }
    });

    it.each([
      ['a year with hires at 1400 px', '2021', 1400],
      ['a year without hires at 1400 px', '2019', 1400],
      ['a year with hires at 390 px', '2021', 390],
    ])('should show no serious or critical accessibility violation on %s', async (_view, year, width) => {
      await page.setViewportSize({ width, height: 900 });
      try {
        await open(year);
        await page.waitForSelector('[data-testid="table-runs"][data-state="ready"]');
        await page.waitForSelector('[data-testid="backups"][data-state="ready"]');
        const first = page.locator('[data-testid="run-row"]').first();
        if ((await first.count()) > 0) {
          await first.click();
          await page.waitForSelector('[data-testid="run-detail"][data-run-id]');
        }
        const violations = await runAxe(page);
        expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
      } finally {
        await page.setViewportSize({ width: 1400, height: 900 });
      }
    });

    it('should sort the table from the keyboard when a header button is focused and Enter is pressed', async () => {
      await open('2021');
      const totals = () =>
        page.$$eval('[data-testid="table-quarters"] tbody tr td:last-child', (cells) =>
          cells.map((c) => Number((c.textContent ?? '').replace(/,/g, ''))),
        );
      const before = await totals();
      const header = page.locator('[data-testid="table-quarters"] th[data-key="total"]');
      await header.locator('button').focus();
      await page.keyboard.press('Enter');
      const after = await totals();
      expect(after).not.toEqual(before);
      expect(after).toEqual([...before].sort((a, b) => b - a));
      expect(await header.getAttribute('aria-sort')).toBe('descending');
      await page.keyboard.press('Enter');
      expect(await totals()).toEqual([...before].sort((a, b) => a - b));
      expect(await header.getAttribute('aria-sort')).toBe('ascending');
    });

    it('should order names in the browser exactly as the service does when they differ in case, accents and script', async () => {
      const names = [
        'Zookeeper',
        'Ökonom',
        'économiste',
        'Economist',
        'economist',
        'Ärztin',
        'Arzt',
        'Øresund',
        'Oslo',
        'Łódź',
        'Lodz',
        'Œuvre',
        'Oeuvre',
        'Ñandú',
        'Nandu',
        'Straße',
        'Strasse',
        'accounting',
        'Accounting',
        'Émile',
        'Emile',
        'Δέλτα',
        'Жук',
        '東京',
        'ß',
        'ss',
      ];
      await open('2021');
      const inBrowser = await page.evaluate(
        `import('/dashboard/assets/dom.js').then((m) => ${JSON.stringify(names)}.sort(m.compareNames))`,
      );
      expect(inBrowser).toEqual([...names].sort(compareNames));
    });

    it('should sort the table by job name in the order of the reports when the job header is pressed', async () => {
      await open('2021');
      await page.selectOption('[data-testid="department-filter"]', 'Support');
      await page.click('[data-testid="table-quarters"] th[data-key="job"] button');
      const jobs = await page.$$eval('[data-testid="table-quarters"] tbody tr td:nth-child(2)', (cells) =>
        cells.map((c) => c.textContent ?? ''),
      );
      expect(jobs.length).toBeGreaterThan(10);
      expect(jobs).toEqual([...jobs].sort(compareNames));
      expect(await page.getAttribute('[data-testid="table-quarters"] th[data-key="job"]', 'aria-sort')).toBe(
        'ascending',
      );
    });

    it('should load nothing from another host and log no error in the console', () => {
      expect(foreignRequests).toEqual([]);
      expect(problems).toEqual([]);
    });
  });
});
