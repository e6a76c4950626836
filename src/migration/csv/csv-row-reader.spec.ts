import { Readable } from 'node:stream';
import { CsvHeaderError, CsvRowReader } from './csv-row-reader';
import {
  CsvTokenizer,
  KEPT_FIELD_CHARS,
  MAX_COLUMNS,
  MAX_FIELD_CHARS,
  MAX_LINE_CHARS,
  type CsvRow,
} from './csv-tokenizer';

const COLUMNS = ['id', 'name', 'datetime', 'department_id', 'job_id'];

/** Reads `text` as the upload would, split into chunks of `chunkSize` bytes. */
async function read(text: string | Buffer, header: 'auto' | 'true' | 'false' = 'auto', chunkSize = 3) {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const reader = new CsvRowReader('hired_employees', { header });
  const rows: CsvRow[] = [];
  for await (const batch of reader.read(Readable.from(chunks))) rows.push(...batch);
  return { rows, headerSkipped: reader.headerSkipped, headerText: reader.headerText, columnOrder: reader.columnOrder };
}

const lines = (rows: CsvRow[]) => rows.map((r) => [r.line, r.values]);

describe('CsvRowReader', () => {
  it('should number rows by physical line when lines end in CRLF and the last has no newline', async () => {
    const { rows } = await read('1,a\r\n2,b\r\n3,c');
    expect(lines(rows)).toEqual([
      [1, ['1', 'a']],
      [2, ['2', 'b']],
      [3, ['3', 'c']],
    ]);
  });

  it('should read LF and lone CR line ends alike', async () => {
    const { rows } = await read('1,a\n2,b\r3,c\n');
    expect(lines(rows)).toEqual([
      [1, ['1', 'a']],
      [2, ['2', 'b']],
      [3, ['3', 'c']],
    ]);
  });

  it('should skip blank lines without losing the line count', async () => {
    const { rows } = await read('1,a\r\n\r\n\r\n4,d\n\n6,f');
    expect(lines(rows)).toEqual([
      [1, ['1', 'a']],
      [4, ['4', 'd']],
      [6, ['6', 'f']],
    ]);
  });

  it('should count the newlines inside quoted values toward the next row line', async () => {
    const { rows } = await read('1,"a\r\nb\nc"\r\n2,"x,""y"""\r\n3,z');
    expect(lines(rows)).toEqual([
      [1, ['1', 'a\r\nb\nc']],
      [4, ['2', 'x,"y"']],
      [5, ['3', 'z']],
    ]);
  });

  it('should drop a UTF-8 byte-order mark and keep multi-byte characters split across chunks', async () => {
    const { rows } = await read('\ufeff1,Zoë Ångström 😀\r\n2,b', 'auto', 1);
    expect(lines(rows)).toEqual([
      [1, ['1', 'Zoë Ångström 😀']],
      [2, ['2', 'b']],
    ]);
  });

  it('should skip a header of the column names in any case and spacing when header=auto', async () => {
    const { rows, headerSkipped } = await read(' ID ,Name,DATETIME,department_id,job_id\r\n1,a,b,c,d');
    expect(headerSkipped).toBe(true);
    expect(lines(rows)).toEqual([[2, ['1', 'a', 'b', 'c', 'd']]]);
  });

  it('should keep the first line when header=auto and it is data', async () => {
    const { rows, headerSkipped } = await read('1,a,b,c,d\r\n2,a,b,c,d');
    expect(headerSkipped).toBe(false);
    expect(rows).toHaveLength(2);
  });

  it('should skip a header only on the first line when header=auto, and never when header=false', async () => {
    await expect(read('\r\nid,name,datetime,department_id,job_id\r\n3,c')).resolves.toMatchObject({
      headerSkipped: false,
    });
    const kept = await read('id,name,datetime,department_id,job_id\r\n2,b', 'false');
    expect(kept.headerSkipped).toBe(false);
    expect(kept.rows).toHaveLength(2);
  });

  it('should read rows by the names of a header in another order and case, and keep the header as sent', async () => {
    const text = 'Job_ID ,"name",DateTime,department_id,id\r\n5,"Lee, Ann",2021-01-05T10:00:00Z,2,1\r\n6,Bob,x,3\r\n';
    for (const header of ['auto', 'true'] as const) {
      const { rows, ...result } = await read(text, header);
      expect(result).toEqual({
        headerSkipped: true,
        headerText: 'Job_ID ,"name",DateTime,department_id,id',
        columnOrder: ['job_id', 'name', 'datetime', 'department_id', 'id'],
      });
      expect(lines(rows)).toEqual([
        [2, ['1', 'Lee, Ann', '2021-01-05T10:00:00Z', '2', '5']],
        [3, ['6', 'Bob', 'x', '3']],
      ]);
      expect(rows[0].rawText?.()).toBe('5,"Lee, Ann",2021-01-05T10:00:00Z,2,1');
    }
  });

  it('should give the table order and no header text when the file has no header', async () => {
    await expect(read('1,a,b,c,d')).resolves.toMatchObject({ headerText: undefined, columnOrder: COLUMNS });
  });

  it.each([
    [
      'id,name,datetime,department_id,jobid',
      'The header lacks job_id and names unknown column jobid; the columns of hired_employees are id, name, datetime, department_id, job_id',
    ],
    [
      'id,NAME,datetime,department_id,job_id,Name',
      'The header names name more than once; the columns of hired_employees are id, name, datetime, department_id, job_id',
    ],
    [
      'id,name,datetime,id,"x,y"',
      'The header lacks department_id and job_id, names id more than once and names unknown column "x,y"; the columns of hired_employees are id, name, datetime, department_id, job_id',
    ],
    [
      `a,b,c,d,e,f,${'g,'.repeat(100)}`,
      'The header lacks id, name, datetime, department_id and job_id and names unknown columns a, b, c, d, e and 102 more; the columns of hired_employees are id, name, datetime, department_id, job_id',
    ],
    [
      'ID;Name;datetime;department_id;job_id',
      "The header is separated by ';': send delimiter=';' (the columns of hired_employees are id, name, datetime, department_id, job_id)",
    ],
    [
      'job_id\tname\tdatetime\tdepartment_id\tid',
      'The header is separated by tabs: send delimiter=tab (the columns of hired_employees are id, name, datetime, department_id, job_id)',
    ],
    [
      '\r\n1,a,b,c,d',
      'The header lacks id, name, datetime, department_id and job_id and names unknown columns 1, a, b, c and d; the columns of hired_employees are id, name, datetime, department_id, job_id',
    ],
  ])('should fail naming the columns when header=true and the first line is %j', async (first, reason) => {
    await expect(read(`${first}\r\n1,a,b,c,d`, 'true')).rejects.toThrow(new CsvHeaderError(reason));
  });

  it.each(['auto', 'true'] as const)(
    'should ignore the line, field and reason columns when the header ends with them and header=%s',
    async (mode) => {
      const { rows, headerSkipped, columnOrder } = await read(
        'job_id,name,datetime,department_id,id,line,field,reason\r\n96,a,b,2,4,5,name,name is empty\r\n1,a,b,c,d,e\r\n',
        mode,
      );
      expect({ headerSkipped, columnOrder }).toEqual({
        headerSkipped: true,
        columnOrder: ['job_id', 'name', 'datetime', 'department_id', 'id'],
      });
      expect(rows.map((r) => [r.line, r.columns, r.values])).toEqual([
        [2, 5, ['4', 'a', 'b', '2', '96']],
        [3, 6, ['1', 'a', 'b', 'c', 'd', 'e']],
      ]);
    },
  );

  it('should hint at the delimiter when a line of one column holds another one', async () => {
    const { rows } = await read('4;Harold;2021-11-07T02:48:42Z;2;96\r\n5|x\r\n6\tx\r\n7,a;b\r\nplain\r\n');
    expect(rows.map((r) => [r.line, r.malformed])).toEqual([
      [1, "expected 5 columns, found 1: the line is separated by ';', send delimiter=;"],
      [2, "expected 5 columns, found 1: the line is separated by '|', send delimiter=|"],
      [3, 'expected 5 columns, found 1: the line is separated by tabs, send delimiter=tab'],
      [4, undefined],
      [5, undefined],
    ]);
  });

  it('should read a first line that is not quite a header as data when header=auto', async () => {
    const { rows, headerSkipped } = await read('id,name,datetime,department_id,jobid\r\n1,a,b,c,d');
    expect(headerSkipped).toBe(false);
    expect(lines(rows)).toEqual([
      [1, ['id', 'name', 'datetime', 'department_id', 'jobid']],
      [2, ['1', 'a', 'b', 'c', 'd']],
    ]);
  });

  it('should mark a row malformed when a quote is never closed', async () => {
    const { rows } = await read('1,a\r\n2,"b\r\n3,c');
    expect(rows[1]).toMatchObject({
      line: 2,
      malformed: 'the quote opened on line 2 is not closed before the end of the file',
    });
  });

  it('should keep only the start of long fields and four columns more than the table but still count the columns', async () => {
    const wide = Array.from({ length: 500 }, (_, i) => `${i}${'w'.repeat(2000)}`).join(',');
    const { rows } = await read(`${'x'.repeat(MAX_FIELD_CHARS * 2)},${wide}\r\n2,b`, 'auto', 4096);
    expect(rows[0].values[0]).toHaveLength(KEPT_FIELD_CHARS);
    // One more than the table, and room for the line, field and reason of a rejects.csv?reasons=true header.
    expect(rows[0].values).toHaveLength(COLUMNS.length + 4);
    expect(rows[0].values[COLUMNS.length]).toBe(`${COLUMNS.length - 1}${'w'.repeat(KEPT_FIELD_CHARS - 1)}`);
    expect(rows[0].columns).toBe(501);
    expect(rows[1]).toMatchObject({ line: 2, values: ['2', 'b'] });
  });

  it('should keep at most the tokenizer limit of columns when it is not told the table', () => {
    const tokenizer = new CsvTokenizer();
    const [row] = tokenizer.push(`${','.repeat(500)}\n`);
    expect(row.values).toHaveLength(MAX_COLUMNS + 1);
    expect(row.columns).toBe(501);
  });

  it('should mark a row malformed when a field is longer than the field limit, quoted or not', async () => {
    const long = 'y'.repeat(MAX_FIELD_CHARS + 1);
    const { rows } = await read(`1,${long}\r\n2,"${long}"\r\n3,${'z'.repeat(MAX_FIELD_CHARS)}`, 'auto', 1000);
    expect(rows[0].malformed).toBe(`line 1: field 2 is longer than ${MAX_FIELD_CHARS} characters`);
    expect(rows[1].malformed).toBe(`line 2: field 2 is longer than ${MAX_FIELD_CHARS} characters`);
    expect(rows[2].malformed).toBeUndefined();
  });

  it('should mark a row malformed when its line is longer than the line limit', async () => {
    const field = 'w'.repeat(60_000);
    const fields = Math.ceil(MAX_LINE_CHARS / 60_001);
    const { rows } = await read(`${Array(fields).fill(field).join(',')}\r\n2,b`, 'auto', 65536);
    expect(rows[0].malformed).toBe(`line 1 is longer than ${MAX_LINE_CHARS} characters`);
    expect(rows[1]).toMatchObject({ line: 2, values: ['2', 'b'] });
    expect(rows[1].malformed).toBeUndefined();
  });

  it('should give each row as sent, multi-byte characters and quoted line ends included, whatever the byte chunks', async () => {
    const text = '\ufeff1,"Zoë ""Å""\r\nNø",😀\r\n2,b';
    for (const size of [1, 2, 3, 5, 64]) {
      const { rows } = await read(text, 'false', size);
      expect(rows.map((r) => r.rawText?.())).toEqual(['1,"Zoë ""Å""\r\nNø",😀', '2,b']);
    }
  });

  it('should read nothing from an empty file', async () => {
    await expect(read('')).resolves.toMatchObject({ rows: [], headerSkipped: false });
  });
});
