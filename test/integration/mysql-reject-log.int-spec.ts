import { BatchTransaction } from '../../src/database/batch-transaction';
import { Dialect } from '../../src/database/dialect';
import { LOAD_DATA_MIN_ROWS, MysqlDialect } from '../../src/database/dialects/mysql.dialect';
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

  /** The statements a batch's reject log was written with, as INSERT text (the rest went through LOAD DATA). */
  let inserts: string[] = [];
  // Written as a load writes them: in one batch transaction.
  const record = (runId: number, rows: RejectedRowRecord[]) =>
    t.app.get(BatchTransaction).run(async (runner) => {
      const spy = jest.spyOn(runner, 'query');
      try {
        await runs.recordRejectedBatch(runner, {
          runId,
          batchNo: 0,
          firstLine: 1,
          lastLine: rows.length,
          rows,
          errors: [],
        });
      } finally {
        inserts = spy.mock.calls
          .map(([sql]) => String(sql))
          .filter((sql) => sql.startsWith('INSERT INTO rejected_rows'));
        spy.mockRestore();
      }
    });

  const readBack = async (runId: number) =>
    (await runs.findRejectedRows(runId, { batchNo: 0, rowNo: 0 }, 1000, { text: true })).map((r) => ({
      line: r.line,
      row: JSON.parse(r.rawRow) as unknown,
      text: r.text,
      textLeftOut: r.textLeftOut,
      errors: JSON.parse(r.errors) as unknown,
    }));

  const leftOut = (line: number): RejectedRowRecord => ({
    line,
    row: { line, values: ['x'] },
    text: null,
    textLeftOut: true,
    errors: [],
  });

  it.each([
    ['LOAD DATA, for many entries', true, LOAD_DATA_MIN_ROWS, false],
    ['one INSERT, for a few entries', true, 1, true],
    ['one INSERT, where the server refuses local files', false, LOAD_DATA_MIN_ROWS, true],
  ])('should keep every row, its text and its reasons exactly, through %s', async (_, localFiles, blocks, insert) => {
    Object.assign(dialect, { localFiles });
    const runId = await newRun();
    // Each block: the awkward rows packed in one entry, and a row left out, an entry of its own.
    const rows = Array.from({ length: blocks }, (_, b) => [...rejectedRows(), leftOut(100 + b)]).flat();
    await record(runId, rows);
    expect(inserts).toHaveLength(insert ? 1 : 0);
    const back = await readBack(runId);
    expect(back).toHaveLength(rows.length);
    expect(back).toEqual(rows);
    Object.assign(dialect, { localFiles: undefined });
  });

  it('should fail LOAD DATA, as an INSERT would, when a row repeats a key, leaving none of it', async () => {
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
            [...Array.from({ length: LOAD_DATA_MIN_ROWS }, (_, i) => row(100 + i)), row(0)],
          ),
        ),
    ).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
    expect((await readBack(runId)).map((r) => r.text)).toEqual(AWKWARD);
  });

  it('should fail LOAD DATA, as an INSERT would, when the rows name a run that does not exist', async () => {
    const rows = Array.from({ length: LOAD_DATA_MIN_ROWS }, (_, b) => [...rejectedRows(), leftOut(100 + b)]).flat();
    await expect(record(2_000_000_000, rows)).rejects.toMatchObject({ errno: 1452 });
    expect(inserts).toEqual([]);
  });
});
