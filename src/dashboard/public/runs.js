// @ts-check
/** The latest migration runs, refreshed while one is running, and the rejected rows of the one picked. */
import { latestRuns, rejectsCsvUrl, runWithRejects } from './api.js';
import { $, cell, decimal, downloadLink, number, scrollRegion, setText } from './dom.js';

/**
 * @typedef {import('./api.js').Run} Run
 * @typedef {import('./api.js').RunList} RunList
 * @typedef {import('./api.js').RunWithRejects} RunWithRejects
 * @typedef {import('./api.js').RowError} RowError
 */

const RUNS_SHOWN = 12;
const BATCHES_SHOWN = 50;
const POLL_RUNNING_MS = 2000;
const POLL_IDLE_MS = 15000;

const runs = {
  /** @type {number | undefined} */
  timer: undefined,
  /** @type {number | null} */
  selected: null,
  /** Answers for a run picked earlier than the last one are dropped. */
  request: 0,
};

/** @param {number | null} ms */
function formatMs(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${decimal.format(ms / 1000)} s`;
  return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
}

/** @param {string | null} iso */
const formatInstant = (iso) => (iso ? iso.replace('T', ' ').slice(0, 19) : '–');

/** @param {Run} run */
function percentOf(run) {
  const p = run.progress;
  return p?.bytesTotal ? `${Math.floor((p.bytesRead / p.bytesTotal) * 100)}%` : '';
}

/** @param {Run} run */
function statusCell(run) {
  const td = document.createElement('td');
  td.className = 'run-status';
  // Shown above the status on a phone, where the table's own column is left out.
  td.dataset.table = run.table;
  const text = run.status === 'running' ? `running ${percentOf(run)}`.trim() : run.status;
  const badge = cell('span', text, `status status-${run.status}`);
  badge.dataset.testid = 'run-status';
  td.append(badge);
  if (run.dryRun) {
    const dry = cell('span', 'dry run', 'status status-dry');
    dry.dataset.testid = 'run-dry';
    dry.title = 'A dry run: every rule applied, no row written';
    td.append(' ', dry);
  }
  if (run.hint) {
    // Completed, yet nothing written: not to be read as a clean run.
    const nothing = cell('span', 'nothing written', 'status status-nothing');
    nothing.dataset.testid = 'run-nothing-written';
    td.append(' ', nothing);
    const hint = cell('span', run.hint, 'run-hint');
    hint.dataset.testid = 'run-hint';
    td.append(hint);
  }
  if (run.error) {
    const error = cell('span', run.error, 'run-error');
    error.dataset.testid = 'run-error';
    td.append(error);
  }
  return td;
}

/** @param {string} message */
function showDownloadError(message) {
  $('runs-error').textContent = message;
  $('runs-error').hidden = false;
}

/**
 * @param {Run} run
 * @param {string} text
 */
function rejectsLink(run, text) {
  const link = downloadLink(rejectsCsvUrl(run.id), text, `${run.table}-run-${run.id}-rejects.csv`, showDownloadError);
  link.setAttribute('aria-label', `Rejected rows of run ${run.id} (CSV)`);
  link.dataset.testid = 'run-rejects-csv';
  return link;
}

/** @param {Run} run */
function runDuration(run) {
  if (run.status !== 'running') return formatMs(run.durationMs);
  return formatMs(Math.max(0, Date.now() - Date.parse(run.startedAt)));
}

/** @param {RunList} list */
function renderRuns(list) {
  const body = document.createElement('tbody');
  for (const run of list.items) {
    const tr = document.createElement('tr');
    tr.dataset.runId = String(run.id);
    tr.dataset.status = run.status;
    if (run.hint) tr.dataset.outcome = 'nothing-written';
    tr.dataset.testid = 'run-row';
    tr.tabIndex = 0;
    tr.setAttribute('aria-selected', String(run.id === runs.selected));
    const rejects = document.createElement('td');
    if (run.rowsRejected > 0) rejects.append(rejectsLink(run, 'rejected rows (CSV)'));
    tr.append(
      cell('td', String(run.id), 'num'),
      statusCell(run),
      cell('td', run.table),
      cell('td', run.file === null ? '(JSON batch)' : run.file),
      cell('td', number.format(run.rowsRead), 'num'),
      cell('td', number.format(run.rowsInserted), 'num'),
      cell('td', number.format(run.rowsRejected), run.rowsRejected === 0 ? 'num zero' : 'num'),
      cell('td', runDuration(run), 'num'),
      cell('td', formatInstant(run.startedAt)),
      rejects,
    );
    body.append(tr);
  }
  const table = $('table-runs', HTMLTableElement);
  table.replaceChild(body, table.tBodies[0]);
  table.dataset.state = 'ready';
  showScrollCue();
  $('runs-empty').hidden = list.items.length > 0;
  setText('runs-count', list.total > list.items.length ? `${list.items.length} of ${list.total}` : '');
}

/** Says so when the runs table is wider than its box (a phone): its last columns are a scroll away. */
function showScrollCue() {
  const wrap = $('table-runs').parentElement;
  if (wrap) $('runs-scroll-cue').hidden = wrap.scrollWidth <= wrap.clientWidth + 1;
}

/** Polls often while a run is running, so that its progress shows, and rarely otherwise. */
async function loadRuns() {
  window.clearTimeout(runs.timer);
  let running = false;
  try {
    const list = await latestRuns(RUNS_SHOWN);
    $('runs-error').hidden = true;
    renderRuns(list);
    running = list.items.some((run) => run.status === 'running');
    const selected = list.items.find((run) => run.id === runs.selected);
    if (selected?.status === 'running') void openRun(selected.id);
  } catch (error) {
    $('runs-error').textContent = `The runs could not be loaded: ${/** @type {Error} */ (error).message}`;
    $('runs-error').hidden = false;
  }
  runs.timer = window.setTimeout(() => void loadRuns(), running ? POLL_RUNNING_MS : POLL_IDLE_MS);
}

/** @param {RowError[]} errors */
function errorsTable(errors) {
  const table = document.createElement('table');
  const head = document.createElement('thead');
  const headRow = document.createElement('tr');
  ['Line', 'Field', 'Value', 'Reason'].forEach((name, i) => {
    const th = cell('th', name, i === 0 ? 'num' : '');
    th.scope = 'col';
    headRow.append(th);
  });
  head.append(headRow);
  const body = document.createElement('tbody');
  for (const error of errors) {
    const tr = document.createElement('tr');
    const reason = cell('td', error.reason, 'reason');
    reason.dataset.testid = 'reject-reason';
    tr.append(
      cell('td', String(error.line), 'num'),
      cell('td', error.field === null ? '(row)' : error.field),
      cell('td', error.value === null ? '(missing)' : JSON.stringify(error.value)),
      reason,
    );
    body.append(tr);
  }
  table.append(head, body);
  return table;
}

/** @param {RunWithRejects} run */
function renderRunDetail(run) {
  const what =
    `${run.table}${run.file ? ` · ${run.file}` : ' · JSON batch'} · ${run.status}` + (run.dryRun ? ' · dry run' : '');
  setText('run-detail-title', `Run ${run.id}: ${what}`);
  const batches = run.rejected.length;
  setText(
    'run-detail-summary',
    `${number.format(run.rowsRead)} rows read, ${number.format(run.rowsInserted)} inserted, ` +
      `${number.format(run.rowsRejected)} rejected; ${number.format(batches)}` +
      (batches === 1 ? ' rejected batch' : ' rejected batches'),
  );
  const failure = $('run-detail-failure');
  failure.textContent = run.error ? `Why it failed: ${run.error}` : run.hint ? `Nothing written: ${run.hint}` : '';
  failure.hidden = !run.error && !run.hint;
  const links = $('run-detail-links');
  links.replaceChildren(...(run.rowsRejected > 0 ? [rejectsLink(run, 'rejected rows (CSV)')] : []));
  const container = scrollRegion(document.createElement('div'), `Rejected rows of run ${run.id}`);
  container.id = 'run-detail-batches';
  container.className = 'batches';
  container.dataset.testid = 'run-detail-batches';
  for (const batch of run.rejected.slice(0, BATCHES_SHOWN)) {
    const section = document.createElement('section');
    section.className = 'batch';
    section.dataset.testid = 'rejected-batch';
    section.append(
      cell('h3', `Batch ${batch.batch}, lines ${batch.firstLine}–${batch.lastLine}`),
      errorsTable(batch.errors),
    );
    container.append(section);
  }
  if (batches > BATCHES_SHOWN) {
    container.append(cell('p', `And ${batches - BATCHES_SHOWN} more batches: GET /migrate/runs/${run.id}`, 'caption'));
  }
  // The answer holds one page of the reject log; say how many rows it leaves out.
  const shownRows = run.rejected.reduce((n, batch) => n + batch.rows.length, 0);
  if (run.rejectedTotal > shownRows) {
    container.append(
      cell(
        'p',
        `And ${number.format(run.rejectedTotal - shownRows)} more rejected rows: ` +
          `GET /migrate/runs/${run.id}?rejectedOffset=${shownRows}`,
        'caption',
      ),
    );
  }
  if (batches === 0) container.append(cell('p', 'No rejected rows.', 'caption'));
  $('run-detail-batches').replaceWith(container);
  $('run-detail').dataset.runId = String(run.id);
}

/** @param {number} id */
async function openRun(id) {
  runs.selected = id;
  const request = (runs.request += 1);
  for (const tr of $('table-runs', HTMLTableElement).tBodies[0].rows) {
    tr.setAttribute('aria-selected', String(tr.dataset.runId === String(id)));
  }
  try {
    const run = await runWithRejects(id);
    if (request !== runs.request) return;
    $('run-detail-error').hidden = true;
    renderRunDetail(run);
  } catch (error) {
    if (request !== runs.request) return;
    $('run-detail-error').textContent = `The run could not be loaded: ${/** @type {Error} */ (error).message}`;
    $('run-detail-error').hidden = false;
  }
}

/** @param {Event} event */
function onRunPicked(event) {
  const tr = event.target instanceof Element ? event.target.closest('tr[data-run-id]') : null;
  if (!(tr instanceof HTMLElement)) return;
  if (event.target instanceof Element && event.target.closest('a')) return;
  if (event instanceof KeyboardEvent && event.key !== 'Enter') return;
  void openRun(Number(tr.dataset.runId));
}

export function startRuns() {
  $('table-runs').addEventListener('click', onRunPicked);
  $('table-runs').addEventListener('keydown', onRunPicked);
  window.addEventListener('resize', showScrollCue);
  void loadRuns();
}
