import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  process.stderr.write(
    `Skipping the Swagger UI browser test: ${CHROMIUM} is not installed (apt-get install chromium)\n`,
  );
}
const describeInBrowser = haveChromium ? describe : describe.skip;

describeInBrowser.each(testEngines())('Swagger UI on %s', (engine) => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('should load the good rows when "Try it out" sends a file with rejectMode=row', async () => {
    await page.goto(`${base}/docs`);
    await page.waitForSelector('.opblock');
    await page.click('button.authorize');
    await page.fill('.modal-ux input[type=text]', TEST_API_KEY);
    await page.click('.modal-ux button.authorize');
    await page.click('.modal-ux button.btn-done');
    const operation = page.locator('#operations-migration_runs-MigrationController_startFromUpload');
    await operation.locator('.opblock-summary').click();
    await operation.locator('.try-out__btn').click();
    await operation.locator('tr[data-property-name="rejectMode"] select').selectOption('row');
    await operation.locator('tr[data-property-name="file"] input[type=file]').setInputFiles({
      name: 'departments.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('1,Finance\r\n2,\r\n3,Sales\r\n'),
    });
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table .response-col_status').last();
    await status.waitFor();
    const body = JSON.parse(await operation.locator('.live-responses-table .microlight').first().innerText());
    expect({ status: (await status.innerText()).trim(), runs: body.runs }).toEqual({
      status: '201',
      runs: [
        expect.objectContaining({ table: 'departments', status: 'completed', rejectMode: 'row', rowsInserted: 2 }),
      ],
    });
    const rows = await t.dataSource.query('SELECT id, department FROM departments ORDER BY id');
    expect(rows.map((r: { id: number; department: string }) => [Number(r.id), r.department])).toEqual([
      [1, 'Finance'],
      [3, 'Sales'],
    ]);
  });
});
