import { BatchTransaction } from '../../src/database/batch-transaction';
import { Dialect } from '../../src/database/dialect';
import { MysqlDialect } from '../../src/database/dialects/mysql.dialect';
import {
  MigrationRunsRepository,
  type RejectedRowRecord,
} from '../../src/migration/repositories/migration-runs.repository';
import { startTestApp, type TestApp } from '../support/test-app';
import { testEngines } from '../support/test-database';

// The reject log goes through LOAD DATA LOCAL INFILE on MySQL/MariaDB: the other engines insert it.
const onMysql = testEngines().includes('mysql') ? describe : describe.skip;

/** Text that LOAD DATA's format must escape, or could read as something else. */
const AWKWARD = [
  'Tab\there, line\nbreak, return\r, NUL \0 end',
  'back\\slash \\N \\t and a lone \\',
  '\\N',
  `O'Brien "quoted" Zoë 😀 \b \x1a`,
  '',
];

function rejectedRows(): RejectedRowRecord[] {
  return AWKWARD.map((text, i) => ({
    line: i + 1,
    row: { line: i + 1, values: [text, String(i)] },
    text,
    textLeftOut: false,
    errors: [{ line: i + 1, field: 'name', value: text, reason: `reason ${i}` }],
  }));
}

onMysql('the reject log through LOAD DATA on mysql', () => {
  let t: TestApp;
  let runs: MigrationRunsRepository;
  let dialect: MysqlDialect;

  beforeAll(async () => {
    t = await startTestApp('mysql');
    runs = t.app.get(MigrationRunsRepository);
    dialect = t.app.get(Dialect) as MysqlDialect;
  });
  afterAll(async () => {
    Object.assign(dialect, { localFiles: undefined });
    await t.close();
  });

  const newRun = async () =>
    (await runs.createRun({ table: 'hired_employees', file: 'e.csv', batchSize: 1000, rejectMode: 'batch' })).id;

  // Written as a load writes them: in one batch transaction.
  const record = (runId: number, rows: RejectedRowRecord[]) =>
    t.app
      .get(BatchTransaction)
      .run((runner) =>
        runs.recordRejectedBatch(runner, { runId, batchNo: 0, firstLine: 1, lastLine: rows.length, rows, errors: [] }),
      );

  const readBack = async (runId: number) =>
    (await runs.findRejectedRows(runId, { batchNo: 0, rowNo: 0 }, 100, { text: true })).map((r) => ({
      line: r.line,
      row: JSON.parse(r.rawRow) as unknown,
      text: r.text,
      textLeftOut: r.textLeftOut,
      errors: JSON.parse(r.errors) as unknown,
    }));

  it.each([
    ['LOAD DATA', true],
    ['a multi-row INSERT, where the server refuses local files', false],
  ])('should keep every row, its text and its reasons exactly, through %s', async (_, localFiles) => {
    Object.assign(dialect, { localFiles });
    const runId = await newRun();
    const rows = [
      ...rejectedRows(),
      { line: 9, row: { line: 9, values: ['x'] }, text: null, textLeftOut: true, errors: [] },
    ];
    await record(runId, rows);
    expect(await readBack(runId)).toEqual(rows);
    Object.assign(dialect, { localFiles: undefined });
  });

  it('should fail the statement, as an INSERT would, when a row repeats a key, leaving none of it', async () => {
    const runId = await newRun();
    await record(runId, rejectedRows());
    const row = (rowNo: number) => [runId, 0, rowNo, 1, '{}', '[]', null, 0, 'again'];
    await expect(
      t.app
        .get(BatchTransaction)
        .run((runner) =>
          dialect.insertValues(
            runner,
            'rejected_rows',
            ['run_id', 'batch_no', 'row_no', 'line', 'raw_row', 'errors', 'text_chars', 'text_left_out', 'raw_text'],
            [row(100), row(0)],
          ),
        ),
    ).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
    expect((await readBack(runId)).map((r) => r.text)).toEqual(AWKWARD);
  });

  it('should fail, as an INSERT would, when the rows name a run that does not exist', async () => {
    await expect(record(2_000_000_000, rejectedRows())).rejects.toMatchObject({ errno: 1452 });
  });
});
