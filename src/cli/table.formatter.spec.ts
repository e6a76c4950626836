import { type Column, formatBytes, formatCount, formatDuration, formatInstant, formatTable } from './table.formatter';

interface Row {
  name: string;
  n: number;
}

const columns: Column<Row>[] = [
  { header: 'name', value: (r) => r.name },
  { header: 'count', align: 'right', value: (r) => r.n },
];

describe('formatTable', () => {
  it('should pad columns to their widest cell, right-aligning numbers, when rows differ in width', () => {
    const text = formatTable(columns, [
      { name: 'departments', n: 12 },
      { name: 'jobs', n: 183 },
    ]);
    expect(text).toBe(
      ['name         count', '-----------  -----', 'departments     12', 'jobs           183', ''].join('\n'),
    );
  });

  it('should print the footer under a second rule when one is given', () => {
    const text = formatTable(columns, [{ name: 'a', n: 1 }], { footer: { name: 'total', n: 1 } });
    expect(text.split('\n')).toEqual([
      'name   count',
      '-----  -----',
      'a          1',
      '-----  -----',
      'total      1',
      '',
    ]);
  });

  it('should cut long cells with an ellipsis and flatten line breaks when a column has a maximum width', () => {
    const cut: Column<Row>[] = [{ header: 'name', maxWidth: 6, value: (r) => r.name }];
    expect(formatTable(cut, [{ name: 'a\r\nverylongname', n: 0 }], {}).split('\n')[2]).toBe('a ver…');
  });

  it('should print only the header and rule when there are no rows', () => {
    expect(formatTable(columns, [])).toBe('name  count\n----  -----\n');
  });
});

describe('formatters', () => {
  it('should group thousands when a count is large', () => {
    expect(formatCount(1929)).toBe('1,929');
    expect(formatCount(null)).toBe('');
  });

  it('should pick a unit that reads well when formatting durations', () => {
    expect(formatDuration(412)).toBe('412ms');
    expect(formatDuration(3250)).toBe('3.25s');
    expect(formatDuration(42_000)).toBe('42.0s');
    expect(formatDuration(125_000)).toBe('2m05s');
    expect(formatDuration(3_720_000)).toBe('1h02m');
    expect(formatDuration(null)).toBe('');
  });

  it('should use decimal units when formatting bytes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1500)).toBe('1.50 kB');
    expect(formatBytes(67_543_861)).toBe('67.5 MB');
  });

  it('should print UTC to the second when formatting an instant, and pass through what is not one', () => {
    expect(formatInstant('2026-11-25T20:15:00.123Z')).toBe('2026-11-25 20:15:00');
    expect(formatInstant('soon')).toBe('soon');
  });
});
