import type { DepartmentAboveMeanRow, HiresByQuarterRow } from '../api.types';
import { EXIT_OK, UsageError } from '../cli.error';
import type { CommandContext, CommandDefinition } from '../command.types';
import { type Column, formatCount, formatTable } from '../table.formatter';

const count =
  (value: (row: HiresByQuarterRow) => number): Column<HiresByQuarterRow>['value'] =>
  (row) =>
    formatCount(value(row));

const QUARTER_COLUMNS: Column<HiresByQuarterRow>[] = [
  { header: 'department', value: (r) => r.department },
  { header: 'job', value: (r) => r.job },
  { header: 'Q1', align: 'right', value: count((r) => r.Q1) },
  { header: 'Q2', align: 'right', value: count((r) => r.Q2) },
  { header: 'Q3', align: 'right', value: count((r) => r.Q3) },
  { header: 'Q4', align: 'right', value: count((r) => r.Q4) },
];

const ABOVE_MEAN_COLUMNS: Column<DepartmentAboveMeanRow>[] = [
  { header: 'id', align: 'right', value: (r) => r.id },
  { header: 'department', value: (r) => r.department },
  { header: 'hired', align: 'right', value: (r) => formatCount(r.hired) },
];

const REPORTS = {
  quarter: { path: '/reports/hires-by-quarter', title: 'Hires by quarter', columns: QUARTER_COLUMNS },
  'above-mean': {
    path: '/reports/departments-above-mean',
    title: 'Departments that hired more than the mean',
    columns: ABOVE_MEAN_COLUMNS,
  },
} as const;

type ReportName = keyof typeof REPORTS;

export const reportCommand: CommandDefinition = {
  name: 'report',
  summary: 'Show a hiring report: quarter (hires per department and job by quarter) or above-mean',
  args: '<quarter|above-mean>',
  positionals: { min: 1, max: 1 },
  options: {
    year: { type: 'string', valueName: 'yyyy', description: 'the year, in UTC (default 2021)' },
    csv: { type: 'boolean', description: "print the service's CSV instead of a table" },
  },
  examples: ['hr-migrate report quarter --year 2021', 'hr-migrate report above-mean --csv > above-mean.csv'],
  run: runReport,
};

async function runReport({ line, api, terminal }: CommandContext): Promise<number> {
  const name = line.positionals[0];
  if (!(name in REPORTS)) throw new UsageError(`the report is quarter or above-mean; got '${name}'`, 'report');
  const report = REPORTS[name as ReportName];
  const year = line.options.year as string | undefined;
  if (year !== undefined && !/^\d{4}$/.test(year)) {
    throw new UsageError(`--year must be a four-digit year; got '${year}'`, 'report');
  }
  const path = `${report.path}${year ? `?year=${year}` : ''}`;
  if (line.options.csv === true) {
    terminal.out(await api.getText(`${path}${year ? '&' : '?'}format=csv`, 'text/csv'));
    return EXIT_OK;
  }
  const rows = await api.getJson<never[]>(path);
  if (line.global.json) terminal.out(`${JSON.stringify(rows, null, 2)}\n`);
  else if (rows.length === 0) terminal.out(`${report.title}, ${year ?? 2021}: no hires that year.\n`);
  else terminal.out(`${report.title}, ${year ?? 2021}\n\n${formatTable(report.columns as Column<never>[], rows)}`);
  return EXIT_OK;
}
