import type { RejectedRow, Run, RunDetail, RunList } from './api.types';
import { runCounts } from './run.progress';
import { type Column, formatCount, formatDuration, formatInstant, formatTable } from './table.formatter';

type SummaryRow = Pick<
  Run,
  'table' | 'file' | 'rowsRead' | 'rowsInserted' | 'rowsRejected' | 'batchesCommitted' | 'batchesTotal' | 'durationMs'
>;

const SUMMARY_COLUMNS: Column<SummaryRow>[] = [
  { header: 'table', value: (r) => r.table },
  { header: 'file', value: (r) => r.file, maxWidth: 40 },
  { header: 'read', align: 'right', value: (r) => formatCount(r.rowsRead) },
  { header: 'inserted', align: 'right', value: (r) => formatCount(r.rowsInserted) },
  { header: 'rejected', align: 'right', value: (r) => formatCount(r.rowsRejected) },
  { header: 'batches', align: 'right', value: (r) => `${r.batchesCommitted}/${r.batchesTotal}` },
  { header: 'time', align: 'right', value: (r) => formatDuration(r.durationMs) },
];

/** The closing table of a load, pgloader style: one line per run, then the total. */
export function formatLoadSummary(runs: Run[]): string {
  const total: SummaryRow = {
    table: 'total',
    file: '',
    rowsRead: sum(runs, (r) => r.rowsRead),
    rowsInserted: sum(runs, (r) => r.rowsInserted),
    rowsRejected: sum(runs, (r) => r.rowsRejected),
    batchesCommitted: sum(runs, (r) => r.batchesCommitted),
    batchesTotal: sum(runs, (r) => r.batchesTotal),
    durationMs: sum(runs, (r) => r.durationMs ?? 0),
  };
  const notes = runs.flatMap((run) => {
    if (run.status === 'failed')
      return [`The run ${run.id} (${run.file}) failed: ${run.error ?? 'see the run'}; see: hr-migrate run ${run.id}`];
    if (run.hint)
      return [
        `Nothing written from ${run.file} (run ${run.id}: ${runCounts(run)}): ${cliHint(run.hint)}; ` +
          `see why: hr-migrate run ${run.id}`,
      ];
    if (run.rowsRejected > 0)
      return [
        `See the rejects: hr-migrate run ${run.id}   (${run.file}: ${plural(run.rowsRejected, 'row')}); ` +
          `the rows to fix: hr-migrate rejects ${run.id} -o fix.csv`,
      ];
    return [];
  });
  if (runs.some((r) => r.dryRun)) notes.unshift('A dry run: every rule applied, no row written.');
  const table = formatTable(SUMMARY_COLUMNS, runs, { footer: total });
  return notes.length ? `${table}\n${notes.join('\n')}\n` : table;
}

const RUN_COLUMNS: Column<Run>[] = [
  { header: 'id', align: 'right', value: (r) => r.id },
  { header: 'started (UTC)', value: (r) => formatInstant(r.startedAt) },
  { header: 'table', value: (r) => r.table },
  { header: 'file', value: (r) => r.file, maxWidth: 32 },
  { header: 'status', value: (r) => r.status },
  { header: 'mode', value: (r) => r.rejectMode },
  ...SUMMARY_COLUMNS.slice(2).map((c) => c as Column<Run>),
];

/** `runs`: newest first, with a line saying how many there are in all. */
export function formatRunList(list: RunList): string {
  if (list.items.length === 0) return 'No runs yet. Load files with: hr-migrate load <files...>\n';
  const shown =
    list.total > list.items.length ? `${list.items.length} of ${list.total} runs` : plural(list.total, 'run');
  return `${formatTable(RUN_COLUMNS, list.items)}\n${shown} (newest first)\n`;
}

type RejectLine = RejectedRow & { batch: number };

const REJECT_COLUMNS: Column<RejectLine>[] = [
  { header: 'batch', align: 'right', value: (r) => r.batch },
  { header: 'line', align: 'right', value: (r) => r.line },
  { header: 'field', value: (r) => r.field },
  { header: 'value', value: (r) => (r.value === null ? '(missing)' : JSON.stringify(r.value)), maxWidth: 40 },
  { header: 'reason', value: (r) => r.reason },
];

/**
 * `run <id>`: the run's summary, then one page of its rejected rows (line, field, value, reason)
 * and, when there are more, the command that shows the next page.
 */
export function formatRunDetail(run: RunDetail, offset = 0): string {
  const notes = [
    run.dryRun ? 'A dry run: every rule applied, no row written.\n' : '',
    run.status === 'failed' && run.error ? `The run failed: ${run.error}\n` : '',
    run.hint ? `Nothing written: ${cliHint(run.hint)}\n` : '',
  ].join('');
  const head = formatTable(RUN_COLUMNS, [run]) + notes;
  const rows = run.rejected.flatMap((b) => b.errors.map((e) => ({ ...e, batch: b.batch })));
  if (run.rejectedTotal === 0) return `${head}\nNo rejected rows.\n`;
  if (run.rejected.length === 0)
    return `${head}\nNo rejected rows from row ${formatCount(offset + 1)} on (${formatCount(run.rejectedTotal)} in all).\n`;
  const reasons = `${plural(rows.length, 'reason')}:`;
  const what =
    run.rejectMode === 'row'
      ? `${plural(run.rowsRejected, 'row')} rejected; ${reasons}`
      : `${plural(run.batchesRejected, 'batch', 'batches')} rejected (${plural(run.rowsRejected, 'row')} left out); ${reasons}`;
  const shown = sum(run.rejected, (b) => b.rows.length);
  const next =
    offset + shown < run.rejectedTotal
      ? `\nRejected rows ${formatCount(offset + 1)}-${formatCount(offset + shown)} of ${formatCount(run.rejectedTotal)} shown; ` +
        `the next ones: hr-migrate run ${run.id} --offset ${offset + shown}\n`
      : '';
  return `${head}\n${what}\n\n${formatTable(REJECT_COLUMNS, rows)}${next}`;
}

/** The service's hint, with the option named as this client spells it. */
function cliHint(hint: string): string {
  return hint.replace('rejectMode=row', 'rejectMode=row (--reject-mode row)');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function sum<T>(items: T[], value: (item: T) => number): number {
  return items.reduce((acc, item) => acc + value(item), 0);
}
