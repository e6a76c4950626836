import type { ApiClient } from '../api.client';
import type { LoadResponse, Run, RunDetail } from '../api.types';
import { EXIT_FAILURE, EXIT_OK, EXIT_REJECTED, UsageError } from '../cli.error';
import type { CommandContext, CommandDefinition, OptionValue } from '../command.types';
import { buildMultipartUpload, checkUploadFiles } from '../multipart.body';
import { UploadProgress } from '../progress.bar';
import { RunProgress } from '../run.progress';
import { SyncRunWatch } from '../sync-run-watch';
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
    sync: {
      type: 'boolean',
      description: 'load in the one request: upload progress (percent, time left) and rows loaded so far',
    },
    async: {
      type: 'boolean',
      description: 'the default: the service loads after the upload and each run is followed live (kept for scripts)',
    },
  },
  details: [
    'The table comes from the file name (departments*.csv, jobs*.csv, hired_employees*.csv) or --table.',
    'Files are loaded in dependency order: departments, jobs, then hired_employees.',
    'A header names the columns in any order and case (e.g. job_id,name,id,datetime,department_id); rows are read by',
    'those names. With --header true a first line that is not such a header fails the run, naming the columns.',
    'By default the service answers once the upload is received (async), and the CLI follows each run through',
    'its event stream (GET /migrate/runs/<id>/events): rows loaded, percent and time left of the whole load,',
    'whatever the order of the files. --sync loads in the one request instead (a lone file is sent with its',
    'table, so it loads as it arrives), showing the upload (percent, time left) and the rows loaded so far.',
    'After a load with rejects: hr-migrate rejects <id> -o fix.csv gives the rows to fix, as they were sent.',
    'Exit code 0 when every row was loaded, 1 when some rows were rejected, 2 when the load failed.',
  ],
  examples: [
    'hr-migrate load departments.csv jobs.csv hired_employees.csv --reject-mode row',
    'hr-migrate load export-2021.csv --table hired_employees --batch-size 500',
    'hr-migrate load departments.csv jobs.csv hired_employees.csv --dry-run',
    'hr-migrate load hired_employees.csv --max-rejected 10',
    'hr-migrate load hired_employees.csv --sync',
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
  if (line.options.sync === true && line.options.async === true) {
    throw new UsageError('--sync and --async exclude each other; the default is --async', 'load');
  }
  const files = await checkUploadFiles(line.positionals);
  const total = files.reduce((acc, f) => acc + f.size, 0);
  const progress = new UploadProgress(terminal, total);
  const async = line.options.sync !== true;
  const fields = formFields(line.options);
  // A lone file named with its table loads as it arrives: no later file of the upload can be one it references.
  if (!async && files.length === 1 && fields.table === undefined) {
    const table = tableOf(files[0].name);
    if (table) fields.table = table;
  }
  // The service streams files only once a field has told it how to load them; else it spools them.
  if (!async && Object.keys(fields).length === 0) fields.rejectMode = 'batch';
  const upload = buildMultipartUpload(fields, files, (sent) => progress.update(sent));
  const watch = async
    ? undefined
    : new SyncRunWatch(
        api,
        files.map((f) => f.name),
        (rows) => progress.rows(rows),
      );
  await watch?.start();
  progress.start(`uploading ${plural(files.length, 'file')} to ${api.baseUrl}`);
  let response: LoadResponse;
  try {
    response = await api.postUpload<LoadResponse>(async ? '/migrate?async=true' : '/migrate', upload);
  } finally {
    watch?.stop();
    progress.stop();
  }
  if (async) response = { runs: await followRuns(api, response.runs, new RunProgress(terminal, response.runs)) };
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

/** The table a file's name says (departments*.csv, jobs*.csv, hired_employees*.csv), as the service reads it. */
function tableOf(fileName: string): string | undefined {
  const name = fileName.toLowerCase();
  if (!name.endsWith('.csv')) return undefined;
  return ['hired_employees', 'departments', 'jobs'].find((table) => name.startsWith(table));
}

/** 2 when a run failed, 1 when rows were rejected, 0 when every row was loaded. */
export function loadExitCode(runs: Run[]): number {
  if (runs.some((r) => r.status !== 'completed')) return EXIT_FAILURE;
  return runs.some((r) => r.rowsRejected > 0) ? EXIT_REJECTED : EXIT_OK;
}
