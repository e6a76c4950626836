import { DomainError } from '../../common/errors/domain-error';
import { parseLoadOptions, storedFileName, tableFromFileName } from './upload-options';

describe('tableFromFileName', () => {
  it.each([
    ['departments.csv', 'departments'],
    ['Departments-2021.CSV', 'departments'],
    ['jobs_v2.csv', 'jobs'],
    ['hired_employees.csv', 'hired_employees'],
    ['hired_employees (1).csv', 'hired_employees'],
    ['employees.csv', undefined],
    ['departments.txt', undefined],
    ['my-departments.csv', undefined],
  ])('should take the table of %s from its name', (name, table) => {
    expect(tableFromFileName(name)).toBe(table);
  });
});

describe('storedFileName', () => {
  it('should keep a name of 255 characters or fewer as it is', () => {
    const name = `jobs_${'é'.repeat(246)}.csv`;
    expect(storedFileName(name)).toBe(name);
  });

  it('should cut a longer name to 255 characters and keep its extension when it is longer', () => {
    const stored = storedFileName(`departments_${'😀'.repeat(300)}.csv`);
    expect([...stored]).toHaveLength(255);
    expect(stored).toMatch(/^departments_😀+….csv$/u);
  });
});

describe('parseLoadOptions', () => {
  it('should use the defaults when no field is sent', () => {
    expect(parseLoadOptions({})).toEqual({
      table: undefined,
      batchSize: 1000,
      rejectMode: 'batch',
      header: 'auto',
      delimiter: ',',
      dryRun: false,
      force: false,
      uploadIds: new Map(),
    });
  });

  it('should read maxRejected as an integer when it is one', () => {
    expect(parseLoadOptions({ maxRejected: ' 10 ' }).maxRejected).toBe(10);
    expect(parseLoadOptions({ maxRejected: '0' }).maxRejected).toBe(0);
    expect(() => parseLoadOptions({ maxRejected: '2147483648' })).toThrow(
      'maxRejected must be an integer from 0 to 2147483647',
    );
  });

  it('should read every option when all are valid', () => {
    const fields = {
      table: 'jobs',
      batchSize: ' 25 ',
      rejectMode: 'row',
      header: 'false',
      delimiter: ';',
      dryRun: 'true',
    };
    expect(parseLoadOptions(fields)).toEqual({
      table: 'jobs',
      batchSize: 25,
      rejectMode: 'row',
      header: 'false',
      delimiter: ';',
      dryRun: true,
      force: false,
      uploadIds: new Map(),
    });
  });

  it.each([
    [',', ','],
    [';', ';'],
    ['|', '|'],
    ['tab', '\t'],
    ['\t', '\t'],
  ])('should read the delimiter %j as %j', (delimiter, expected) => {
    expect(parseLoadOptions({ delimiter }).delimiter).toBe(expected);
  });

  it.each([
    [{ batchSize: '1.5' }, 'MIGRATION_INVALID_OPTION'],
    [{ batchSize: '-1' }, 'MIGRATION_INVALID_OPTION'],
    [{ rejectMode: 'ROW' }, 'MIGRATION_INVALID_OPTION'],
    [{ table: 'users' }, 'MIGRATION_UNKNOWN_TABLE'],
    [{ tabel: 'jobs' }, 'MIGRATION_INVALID_OPTION'],
    [{ delimiter: ':' }, 'MIGRATION_INVALID_OPTION'],
    [{ delimiter: 'TAB' }, 'MIGRATION_INVALID_OPTION'],
    [{ delimiter: ',;' }, 'MIGRATION_INVALID_OPTION'],
    [{ delimiter: '' }, 'MIGRATION_INVALID_OPTION'],
  ])('should refuse %j with the code %s', (fields, code) => {
    expect(() => parseLoadOptions(fields)).toThrow(DomainError);
    try {
      parseLoadOptions(fields);
    } catch (error) {
      expect((error as DomainError).code).toBe(code);
    }
  });
});
