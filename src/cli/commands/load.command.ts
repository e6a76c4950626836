import type { ApiClient } from '../api.client';
import type { LoadResponse, Run, RunDetail } from '../api.types';
import { EXIT_FAILURE, EXIT_OK, EXIT_REJECTED, UsageError } from '../cli.error';
import type { CommandContext, CommandDefinition, OptionValue } from '../command.types';
import { buildMultipartUpload, checkUploadFiles } from '../multipart.body';
import { UploadProgress } from '../progress.bar';
import { RunProgress } from '../run.progress';
import { formatLoadSummary, plural } from '../run.formatter';

/** The CLI option → the service's form field. */
const FORM_FIELDS: Record<string, string> = {
  'batch-size': 'batchSize',
  'reject-mode': 'rejectMode',
  header: 'header',
  delimiter: 'delimiter',
  table: 'table',
  'max-rejected': 'maxRejected',
};

const DELIMITERS = [',', ';', '|', 'tab', '\t'];

export const loadCommand: CommandDefinition = {
  name: 'load',
  summary: 'Load CSV files into their tables, in one upload',
  args: '<files...>',
  positionals: { min: 1, max: Infinity },
  options: {
    'batch-size': {
      type: 'string',
      valueName: 'n',
      integer: { min: 1, max: 1000 },
      description: 'rows per batch, 1..1000 (default 1000)',
    },
    'reject-mode': {
      type: 'string',
      choices: ['row', 'batch'],
      description: 'reject a whole batch with a bad row, or only the bad rows (default batch)',
    },
    header: {
      type: 'string',
      choices: ['auto', 'true', 'false'],
      description:
        'whether the first line is a header of column names, in any order (default auto: when it names the columns)',
    },
    delimiter: {
      type: 'string',
      valueName: 'char',
      description: "the character between fields: ',' (default), ';', '|' or tab (quote ; and | for the shell)",
    },
    table: { type: 'string', valueName: 'table', description: 'the table of a single file whose name does not say it' },
    'dry-run': {
      type: 'boolean',
      description: 'apply every rule and record the runs and their rejects, but write no row (runs marked dryRun)',
    },
    'max-rejected': {
      type: 'string',
      valueName: 'n',
      integer: { min: 0, max: 2_147_483_647 },
      description: "stop a file's run, failed with the reason, at the batch that would pass n rejected rows",
    },
    async: {
      type: 'boolean',
      description: 'let the service load after the upload, and follow each run live (rows, rate) until it ends',
    },
  },
  details: [
    'The table comes from the file name (departments*.csv, jobs*.csv, hired_employees*.csv) or --table.',
    'Files are loaded in dependency order: departments, jobs, then hired_employees.',
    'A header names the columns in any order and case (e.g. job_id,name,id,datetime,department_id); rows are read by',
    'those names. With --header true a first line that is not such a header fails the run, naming the columns.',
    'With --async the service answers once the upload is received; the load is then followed through',
    "each run's event stream (GET /migrate/runs/<id>/events), with the same summary and exit codes.",
    'After a load with rejects: hr-migrate rejects <id> -o fix.csv gives the rows to fix, as they were sent.',
    'Exit code 0 when every row was loaded, 1 when some rows were rejected, 2 when the load failed.',
  ],
  examples: [
    'hr-migrate load departments.csv jobs.csv hired_employees.csv --reject-mode row',
    'hr-migrate load export-2021.csv --table hired_employees --batch-size 500',
    'hr-migrate load departments.csv jobs.csv hired_employees.csv --dry-run',
    'hr-migrate load hired_employees.csv --max-rejected 10',
    'hr-migrate load hired_employees.csv --async',
    "hr-migrate load export.csv --table hired_employees --delimiter ';' --header true",
  ],
  run: runLoad,
};

async function runLoad({ line, api, terminal }: CommandContext): Promise<number> {
  if (line.options.table !== undefined && line.positionals.length > 1) {
    throw new UsageError('--table applies to a single file; name the files after their tables instead', 'load');
  }
  const delimiter = line.options.delimiter;
  if (typeof delimiter === 'string' && !DELIMITERS.includes(delimiter)) {
    throw new UsageError(`--delimiter must be ',', ';', '|' or tab; got '${delimiter}'`, 'load');
  }
  const files = await checkUploadFiles(line.positionals);
  const total = files.reduce((acc, f) => acc + f.size, 0);
  const progress = new UploadProgress(terminal, total);
  const upload = buildMultipartUpload(formFields(line.options), files, (sent) => progress.update(sent));
  progress.start(`uploading ${plural(files.length, 'file')} to ${api.baseUrl}`);
  const async = line.options.async === true;
  let response: LoadResponse;
  try {
    response = await api.postUpload<LoadResponse>(async ? '/migrate?async=true' : '/migrate', upload);
  } finally {
    progress.stop();
  }
  if (async) response = { runs: await followRuns(api, response.runs, new RunProgress(terminal)) };
  terminal.out(line.global.json ? `${JSON.stringify(response, null, 2)}\n` : formatLoadSummary(response.runs));
  return loadExitCode(response.runs);
}

/** Follows the runs one after the other, as the service loads them, and gives each one as it ended. */
async function followRuns(api: ApiClient, runs: Run[], progress: RunProgress): Promise<Run[]> {
  const ended: Run[] = [];
  try {
    for (const run of runs) {
      progress.follow(run);
      const last = await followRun(api, run, progress);
      progress.ended(last);
      ended.push(last);
    }
  } finally {
    progress.stop();
  }
  return ended;
}

async function followRun(api: ApiClient, run: Run, progress: RunProgress): Promise<Run> {
  for (;;) {
    let end: Run | undefined;
    await api.followEvents(`/migrate/runs/${run.id}/events`, (event) => {
      if (event.event !== 'progress' && event.event !== 'end') return;
      const current = JSON.parse(event.data) as Run;
      progress.update(current);
      if (event.event === 'end') end = current;
    });
    if (end) return end;
    // The stream closed early (a proxy, a restart): ask for the run, and follow it again if it still runs.
    const { rejected: _rejected, ...current } = await api.getJson<RunDetail>(`/migrate/runs/${run.id}`);
    if (current.status !== 'running') return current;
  }
}

function formFields(options: Record<string, OptionValue>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [option, field] of Object.entries(FORM_FIELDS)) {
    const value = options[option];
    if (typeof value === 'string') fields[field] = value;
  }
  if (options['dry-run'] === true) fields.dryRun = 'true';
  return fields;
}

/** 2 when a run failed, 1 when rows were rejected, 0 when every row was loaded. */
export function loadExitCode(runs: Run[]): number {
  if (runs.some((r) => r.status !== 'completed')) return EXIT_FAILURE;
  return runs.some((r) => r.rowsRejected > 0) ? EXIT_REJECTED : EXIT_OK;
}
