import { recordToRow, rowToRecord, toEpochMillis, toStoredDatetime } from './backup-records';

describe('backup records', () => {
  const instant = Date.UTC(2021, 6, 27, 16, 2, 8, 123);

  it('should turn a stored SQLite datetime into epoch milliseconds as UTC', () => {
    expect(toEpochMillis('2021-07-27 16:02:08.123')).toBe(instant);
    expect(toEpochMillis('2021-07-27 16:02:08')).toBe(instant - 123);
  });

  it('should take a MySQL Date as it is', () => {
    expect(toEpochMillis(new Date(instant))).toBe(instant);
  });

  it('should store an instant as UTC text with milliseconds on both engines', () => {
    expect(toStoredDatetime(instant)).toBe('2021-07-27 16:02:08.123');
  });

  it('should store every instant from the year 1000 to 9999 as toISOString writes it', () => {
    const first = Date.UTC(1000, 0, 1);
    const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    const instants = [first, last, Date.UTC(1969, 11, 31, 23, 59, 59, 999), 0, Date.UTC(2024, 1, 29, 12)];
    for (let i = 0; i < 20_000; i += 1) instants.push(first + Math.floor(Math.random() * (last - first)));
    for (const at of instants) {
      expect(toStoredDatetime(at)).toBe(new Date(at).toISOString().replace('T', ' ').slice(0, 23));
    }
  });

  it('should make a record of a database row with numbers for ids and a timestamp', () => {
    const row = { id: '3', name: 'Ana', datetime: '2021-07-27 16:02:08.123', department_id: 2, job_id: '9' };
    expect(rowToRecord('hired_employees', row)).toEqual({
      id: 3,
      name: 'Ana',
      datetime: instant,
      department_id: 2,
      job_id: 9,
    });
  });

  it('should make a row of a valid record in the column order of the table', () => {
    expect(recordToRow('jobs', { id: 1, job: 'Engineer' })).toEqual([1, 'Engineer']);
    expect(
      recordToRow('hired_employees', { id: 1, name: '!Ana', datetime: instant, department_id: 2, job_id: 3 }),
    ).toEqual([1, '!Ana', instant, 2, 3]);
  });

  it.each([
    [{ id: 0, department: 'x' }, 'id 0 is not a positive integer'],
    [{ id: 2 ** 31, department: 'x' }, 'is not a positive integer up to 2147483647'],
    [{ id: 1.5, department: 'x' }, 'id 1.5'],
    [{ id: 1, department: '  ' }, 'department is empty'],
    [{ id: 1, department: 'é'.repeat(256) }, 'longer than 255'],
    [{ id: 1, department: '\u2800' }, 'department holds only invisible characters'],
    [{ id: 1, department: '\u200B\u2800' }, 'department holds only invisible characters'],
    [{ id: 1, department: '\u{1D159}' }, 'department holds only invisible characters'],
    [{ id: 1, department: '\u202Eevil' }, 'department holds a control character'],
    [{ id: 1, department: 'y\u009B31m' }, 'department holds a control character'],
  ])('should give the reason when a department record breaks a rule (%j)', (record, reason) => {
    expect(recordToRow('departments', record)).toContain(reason);
  });

  it('should accept 255 characters counted as code points, not UTF-16 units', () => {
    expect(recordToRow('departments', { id: 1, department: '😀'.repeat(255) })).toEqual([1, '😀'.repeat(255)]);
  });

  it.each([
    [{ datetime: Date.UTC(999, 11, 31) }, 'datetime'],
    [{ datetime: Date.UTC(10000, 0, 1) }, 'datetime'],
    [{ department_id: -1 }, 'department_id -1'],
    [{ job_id: 0 }, 'job_id 0'],
    [{ name: '' }, 'name is empty'],
  ])('should give the reason when a hired employee record breaks a rule (%j)', (change, reason) => {
    const record = { id: 1, name: 'Ana', datetime: instant, department_id: 2, job_id: 3, ...change };
    expect(recordToRow('hired_employees', record)).toContain(reason);
  });

  it('should trim text as the load does, counting the 255 characters after trimming', () => {
    expect(recordToRow('departments', { id: 1, department: '  padded name \t' })).toEqual([1, 'padded name']);
    const long = 'x'.repeat(255);
    expect(recordToRow('jobs', { id: 1, job: `  ${long}  ` })).toEqual([1, long]);
    expect(
      recordToRow('hired_employees', { id: 1, name: ' Ana ', datetime: instant, department_id: 2, job_id: 3 }),
    ).toEqual([1, 'Ana', instant, 2, 3]);
  });

  it.each([
    ['name', { name: null }, 'name is null'],
    ['datetime', { datetime: null }, 'datetime is null'],
    ['job_id', { job_id: null }, 'job_id is null'],
  ])('should name the field when another tool wrote a null %s', (_field, change, reason) => {
    const record = { id: 1, name: 'Ana', datetime: instant, department_id: 2, job_id: 3, ...change };
    expect(recordToRow('hired_employees', record)).toBe(reason);
  });

  it('should say an id beyond 2^53 is too large, in full digits', () => {
    expect(recordToRow('jobs', { id: 2n ** 53n + 1n, job: 'x' })).toBe(
      'id 9007199254740993 is not a positive integer up to 2147483647',
    );
  });

  it('should say what a datetime in microseconds or nanoseconds would have been', () => {
    const record = { id: 1, name: 'Ana', department_id: 2, job_id: 3 };
    expect(recordToRow('hired_employees', { ...record, datetime: instant * 1000 })).toBe(
      `datetime ${instant * 1000} is not an instant between the years 1000 and 9999 in milliseconds since the epoch ` +
        '(as microseconds it would be 2021-07-27T16:02:08.123Z: write milliseconds, as timestamp-millis says)',
    );
    expect(recordToRow('hired_employees', { ...record, datetime: BigInt(instant) * 1_000_000n })).toContain(
      'as nanoseconds it would be 2021-07-27T16:02:08.123Z',
    );
    expect(recordToRow('hired_employees', { ...record, datetime: Date.UTC(999, 0, 1) })).not.toContain('would be');
  });
});
