import { format } from 'mysql2';
import fc from 'fast-check';
import {
  insertText,
  integerText,
  isReferenced,
  loadDataStatement,
  loadDataText,
  rowsOfLoadDataText,
  valuesText,
  type StoredValue,
} from './mysql-statements';

/** A double quote needs no backslash in a single-quoted literal: \\" and " read the same. */
const sameQuotes = (sql: string) => sql.replace(/\\"/g, '"');

/** What mysql2 itself writes for the same rows from placeholders. */
function mysql2Text(table: string, columns: string[], rows: StoredValue[][], tail = ''): string {
  const tuple = `(${columns.map(() => '?').join(',')})`;
  const sql = `INSERT INTO ${table} (${columns.join(',')}) VALUES ${rows.map(() => tuple).join(',')}${tail}`;
  return format(sql, rows.flat());
}

describe('integerText', () => {
  it('should write integers as String does when they are 0 to the largest id', () => {
    for (const n of [0, 7, 10, 99, 100, 123_456, 1_000_000, 2_147_483_647]) expect(integerText(n)).toBe(String(n));
  });
});

describe('insertText', () => {
  const rows = [
    [1, "O'Brien's \\ team"],
    [20, 'Sales'],
  ];

  it('should escape text and write numbers as they are when building the MySQL upsert', () => {
    expect(insertText('departments', rows, true)).toBe(
      "INSERT INTO departments (id,department) VALUES (1,'O\\'Brien\\'s \\\\ team'),(20,'Sales') ON DUPLICATE KEY UPDATE department=VALUES(department)",
    );
  });

  it('should build a plain insert when no upsert is asked for', () => {
    expect(insertText('departments', rows, false)).toBe(
      "INSERT INTO departments (id,department) VALUES (1,'O\\'Brien\\'s \\\\ team'),(20,'Sales')",
    );
  });

  it('should write what mysql2 writes from placeholders, for integers up to the largest id and any text', () => {
    const specials = ['\0', '\b', '\t', '\n', '\r', '\x1a', '"', "'", '\\', 'ñ', '😀', ' '];
    const integers = [0, 7, 10, 99, 100, 999, 1000, 1001, 123_456, 1_000_000, 2_147_483_647];
    const rows: StoredValue[][] = [];
    for (let i = 0; i < 2000; i += 1) {
      let name = `Name ${i}`;
      if (i % 2 === 0) name += specials[(i / 2) % specials.length] + specials[(i / 2 + 5) % specials.length];
      rows.push([
        integers[i % integers.length] + (i % 2 === 0 ? 0 : i),
        name,
        '2021-07-27 16:02:08.123',
        integers[(i * 5) % integers.length],
        i,
      ]);
    }
    const columns = ['id', 'name', 'datetime', 'department_id', 'job_id'];

    expect(sameQuotes(insertText('hired_employees', rows, false))).toBe(
      sameQuotes(mysql2Text('hired_employees', columns, rows)),
    );
  });
});

describe('loadDataText', () => {
  it('should escape the backslash, tab, newline, carriage return and NUL when text holds them', () => {
    const rows = [
      [1, 'tab\there', '2021-07-27 16:02:08.123', 3, 4],
      [2_147_483_647, 'line\nbreak\r\\N \\ back\0slash', '2021-07-27 16:02:08.000', 1000, 0],
    ];
    expect(loadDataText(rows)).toBe(
      '1\ttab\\there\t2021-07-27 16:02:08.123\t3\t4\n' +
        '2147483647\tline\\nbreak\\r\\\\N \\\\ back\\0slash\t2021-07-27 16:02:08.000\t1000\t0\n',
    );
  });

  it('should leave quotes and any other character as they are when building the rows', () => {
    expect(loadDataText([[7, `O'Brien "Ñ" 😀 \b \x1a`]])).toBe(`7\tO'Brien "Ñ" 😀 \b \x1a\n`);
  });

  it('should write NULL as \\N when a value is null', () => {
    expect(loadDataText([[7, null as unknown as string]])).toBe('7\t\\N\n');
  });
});

describe('rowsOfLoadDataText', () => {
  it('should give back exactly the rows loadDataText wrote, whatever their text holds', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const row = fc.tuple(fc.integer({ min: 1, max: 2_147_483_647 }), text, text, fc.nat(), fc.nat());
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 20 }), (rows) => {
        expect(rowsOfLoadDataText('hired_employees', loadDataText(rows))).toEqual(rows);
      }),
    );
  });
});

describe('loadDataStatement', () => {
  it('should replace rows whose id exists only when REPLACE is asked for', () => {
    expect(loadDataStatement('hired_employees', 'REPLACE')).toMatch(
      /^LOAD DATA LOCAL INFILE 'rows.tsv' REPLACE INTO TABLE hired_employees /,
    );
    expect(loadDataStatement('hired_employees')).not.toMatch(/REPLACE/);
  });
});

describe('isReferenced', () => {
  it('should tell the tables other tables point at from the employees, which nothing points at', () => {
    expect(['departments', 'jobs', 'hired_employees'].map((t) => isReferenced(t as 'jobs'))).toEqual([
      true,
      true,
      false,
    ]);
  });
});

describe('valuesText', () => {
  it('should write what mysql2 writes from placeholders, for values of every kind, but double quotes left as they are', () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.integer({ min: -5, max: 2 ** 40 }),
      fc.double({ noNaN: true }),
      fc.boolean(),
      fc.constant(null),
      fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
    );
    fc.assert(
      fc.property(fc.array(fc.array(value, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 5 }), (rows) => {
        expect(sameQuotes(valuesText(rows))).toBe(sameQuotes(format(rows.map(() => '(?,?,?)').join(','), rows.flat())));
      }),
    );
  });

  it('should quote JSON as it is and escape the rest as mysql2 does', () => {
    expect(valuesText([[1, '{"line":2,"values":["a"]}', "O'Brien", null, true]])).toBe(
      `(1,'{"line":2,"values":["a"]}','O\\'Brien',NULL,true)`,
    );
  });
});
