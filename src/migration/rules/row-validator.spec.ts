import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { TABLE_COLUMNS, TABLE_NAMES, type TableName } from '../../database/tables';
import { ROW_DTOS } from '../dto/row-dtos';
import { CsvTokenizer } from '../csv/csv-tokenizer';
import { checkRow } from './row-validator';

const FIXTURES = join(__dirname, '../../../test/fixtures/globant');

function referenceReasons(table: TableName, values: string[]): Record<string, string> {
  const plain = Object.fromEntries(TABLE_COLUMNS[table].map((c, i) => [c.name, values[i]]));
  const errors = validateSync(plainToInstance(ROW_DTOS[table], plain), { stopAtFirstError: true });
  return Object.fromEntries(errors.map((e) => [e.property, Object.values(e.constraints ?? {})[0]]));
}

function fastReasons(table: TableName, values: string[]): Record<string, string> {
  const result = checkRow(table, values);
  return result.ok ? {} : Object.fromEntries(result.errors.map((e) => [e.field ?? '', e.reason]));
}

function fixtureRows(table: TableName): string[][] {
  const tokenizer = new CsvTokenizer();
  const text = readFileSync(join(FIXTURES, `${table}.csv`), 'utf8');
  return [...tokenizer.push(text), ...tokenizer.end()].map((r) => r.values);
}

const IDS = [
  '1',
  '7',
  '007',
  '2147483647',
  '2147483648',
  '99999999999999999999',
  '0',
  '00',
  '-1',
  '+1',
  '1.0',
  '1e3',
  ' 1',
  '1 ',
  '',
  '   ',
  'abc',
  '١',
  '0x1A',
  '12a',
];
const TEXTS = [
  'Harold',
  '  padded  ',
  '',
  '   ',
  '\t',
  'x'.repeat(255),
  'x'.repeat(256),
  ` ${'y'.repeat(255)} `,
  '😀'.repeat(255),
  '😀'.repeat(256),
  'O\'Brien, "Jr"',
  'line\nbreak',
  'A\uD800B',
  '\uDC00',
  '\u200B',
  '\u2060\uFEFF',
  ' \u200B\u200D ',
  'Zoë\u200B',
];
const DATETIMES = [
  '2021-07-27T16:02:08Z',
  '2021-07-27T16:02:08.1Z',
  '2021-07-27T16:02:08.123456789Z',
  '2021-07-27T16:02:08+05:30',
  '2021-07-27T16:02:08-03:00',
  '2020-02-29T00:00:00Z',
  '2021-02-29T00:00:00Z',
  '2021-02-30T00:00:00Z',
  '2000-02-29T12:00:00Z',
  '1900-02-29T12:00:00Z',
  '0999-12-31T23:59:59Z',
  '1000-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '2021-1a-01T00:00:00Z',
  '2021-07-27T16:02:08Y',
  '2021-13-01T00:00:00Z',
  '2021-00-10T00:00:00Z',
  '2021-04-31T00:00:00Z',
  '2021-04-00T00:00:00Z',
  '2021-07-27T24:00:00Z',
  '2021-07-27T23:60:00Z',
  '2021-07-27T23:59:60Z',
  '2021-07-27T16:02:08+24:00',
  '2021-07-27T16:02:08+23:60',
  '2021-07-27T16:02:08',
  '2021-07-27 16:02:08Z',
  '2021-07-27',
  '2021-07-27T16:02Z',
  '2021-07-27t16:02:08z',
  '0999-12-31T23:59:59Z',
  '1000-01-01T00:30:00+01:00',
  '9999-12-31T23:30:00-01:00',
  '',
  ' ',
  'yesterday',
  '2021-07-27T16:02:08.Z',
  '2021-07-27T16:02:08+0530',
  ' 2021-07-27T16:02:08Z',
];

function pick<T>(list: T[], i: number): T {
  return list[i % list.length];
}

const GOOD: Record<string, string> = { id: '1', reference: '2', string: 'Harold', datetime: '2021-07-27T16:02:08Z' };
const CANDIDATES: Record<string, string[]> = { id: IDS, reference: IDS, string: TEXTS, datetime: DATETIMES };

/** Every candidate value in every column of an otherwise good row, then mixes of several candidates. */
function generatedRows(table: TableName): string[][] {
  const columns = TABLE_COLUMNS[table];
  const rows: string[][] = [];
  columns.forEach((column, k) => {
    for (const candidate of CANDIDATES[column.kind]) {
      rows.push(columns.map((c, j) => (j === k ? candidate : GOOD[c.kind])));
    }
  });
  for (let i = 0; i < 300; i++) {
    rows.push(columns.map((c, k) => pick(CANDIDATES[c.kind], i * 7 + k * 13)));
  }
  return rows;
}

describe('checkRow', () => {
  it('should accept a good employee row and give values ready for the database when every field is valid', () => {
    const result = checkRow('hired_employees', ['4', ' Lotti Crowthe ', '2021-10-01T13:04:21.5+02:00', '12', '71']);
    expect(result).toEqual({ ok: true, values: [4, 'Lotti Crowthe', '2021-10-01 11:04:21.500', 12, 71] });
  });

  it('should give a reason a person can act on for each bad field when several fields are bad', () => {
    const result = checkRow('hired_employees', ['5', '', '2021-02-30T00:00:00Z', '-1', '']);
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: 'name', value: '', reason: 'name is empty' },
        {
          field: 'datetime',
          value: '2021-02-30T00:00:00Z',
          reason: 'datetime 2021-02-30T00:00:00Z is not a real date',
        },
        { field: 'department_id', value: '-1', reason: 'department_id -1 is not a positive integer' },
        { field: 'job_id', value: '', reason: 'job_id is empty' },
      ],
    });
  });

  it.each([
    ['A\uD800B', 'department is not well-formed text (it holds a lone UTF-16 surrogate)'],
    ['\u200B', 'department holds only invisible characters'],
    ['\u2060\uFEFF', 'department holds only invisible characters'],
  ])('should reject the text %j with its reason when it is not well formed or only invisible', (text, reason) => {
    expect(checkRow('departments', ['1', text])).toEqual({
      ok: false,
      errors: [{ field: 'department', value: text, reason }],
    });
  });

  it('should reject the row as a whole when it has the wrong number of columns', () => {
    expect(checkRow('hired_employees', ['1', 'a', '2021-01-01T00:00:00Z', '1'])).toEqual({
      ok: false,
      errors: [{ field: null, value: null, reason: 'expected 5 columns, found 4' }],
    });
  });

  describe.each(TABLE_NAMES)('agreement with the %s row DTO (class-validator)', (table) => {
    it('should give the same verdict and reasons as validateSync on every row of the sample file', () => {
      const rows = fixtureRows(table);
      expect(rows.length).toBeGreaterThan(10);
      for (const values of rows) {
        expect({ values, reasons: fastReasons(table, values) }).toEqual({
          values,
          reasons: referenceReasons(table, values),
        });
      }
    });

    it('should give the same verdict and reasons as validateSync on a generated corpus of good and bad values', () => {
      const rows = generatedRows(table);
      let good = 0;
      for (const values of rows) {
        const fast = fastReasons(table, values);
        if (Object.keys(fast).length === 0) good++;
        expect({ values, reasons: fast }).toEqual({ values, reasons: referenceReasons(table, values) });
      }
      expect(good).toBeGreaterThan(0);
      expect(good).toBeLessThan(rows.length);
    });
  });
});
