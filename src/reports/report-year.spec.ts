import { DomainError } from '../common/errors/domain-error';
import { yearRange } from './report-year';

describe('yearRange', () => {
  it('should give the UTC bounds of the year and of its quarters when the year is valid', () => {
    expect(yearRange(2021)).toEqual({
      start: '2021-01-01 00:00:00',
      end: '2022-01-01 00:00:00',
      quarters: [
        ['2021-01-01 00:00:00', '2021-04-01 00:00:00'],
        ['2021-04-01 00:00:00', '2021-07-01 00:00:00'],
        ['2021-07-01 00:00:00', '2021-10-01 00:00:00'],
        ['2021-10-01 00:00:00', '2022-01-01 00:00:00'],
      ],
    });
  });

  it('should order the bounds like the stored datetimes when compared as text', () => {
    const { start, end, quarters } = yearRange(2021);
    expect('2020-12-31 23:59:59.999' < start).toBe(true);
    expect('2021-01-01 00:00:00.000' >= start).toBe(true);
    expect('2021-03-31 23:59:59.999' < quarters[1][0]).toBe(true);
    expect('2021-04-01 00:00:00.000' >= quarters[1][0]).toBe(true);
    expect('2021-12-31 23:59:59.999' < end).toBe(true);
  });

  it.each([999, 9999, 2021.5, NaN])('should throw REPORT_INVALID_YEAR when the year is %p', (year) => {
    expect(() => yearRange(year)).toThrow(DomainError);
    expect(() => yearRange(year)).toThrow(/four-digit year/);
  });
});
