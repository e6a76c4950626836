// @ts-check
/** The service's HTTP API as the page reads it, like any other client. */

/**
 * @typedef {{ department: string, job: string, Q1: number, Q2: number, Q3: number, Q4: number }} QuarterRow
 * @typedef {{ id: number, department: string, hired: number }} DepartmentAboveMean
 * @typedef {{ bytesRead: number, bytesTotal: number | null }} RunProgress
 * @typedef {{
 *   id: number, table: string, file: string | null, status: string, error: string | null, dryRun?: boolean,
 *   hint?: string | null,
 *   rowsRead: number, rowsInserted: number, rowsRejected: number,
 *   startedAt: string, durationMs: number | null, progress: RunProgress | null
 * }} Run
 * @typedef {{ items: Run[], total: number }} RunList
 * @typedef {{ line: number, field: string | null, value: unknown, reason: string }} RowError
 * @typedef {{ batch: number, firstLine: number, lastLine: number, rows: unknown[], errors: RowError[] }} RejectedBatch
 * @typedef {Run & { rejected: RejectedBatch[], rejectedTotal: number }} RunWithRejects
 * @typedef {{ file: string, rows: number | null, bytes: number }} Backup
 */

// With READ_API_KEY set, reads need the key: kept for this tab only (sessionStorage), never in the URL.
const KEY_ITEM = 'hr.readKey';

/** @type {(needed: boolean) => void} */
let keyNeeded = () => {};

/**
 * Tells the page after each answer whether the service asked for a read key (401).
 * @param {(needed: boolean) => void} listener
 */
export function onKeyNeeded(listener) {
  keyNeeded = listener;
}

/** @param {string} key */
export function saveReadKey(key) {
  window.sessionStorage.setItem(KEY_ITEM, key);
}

export function hasReadKey() {
  return Boolean(window.sessionStorage.getItem(KEY_ITEM));
}

/**
 * @param {string} accept
 * @returns {Record<string, string>}
 */
function headers(accept) {
  /** @type {Record<string, string>} */
  const result = { Accept: accept };
  const key = window.sessionStorage.getItem(KEY_ITEM);
  if (key) result.Authorization = `Bearer ${key}`;
  return result;
}

/**
 * @param {string} path
 * @returns {Promise<any>}
 */
async function fetchJson(path) {
  const response = await fetch(path, { headers: headers('application/json') });
  keyNeeded(response.status === 401);
  const body = await response.json();
  if (!response.ok) throw new Error(body?.message ? body.message : `HTTP ${response.status}`);
  return body;
}

/**
 * @param {number} year
 * @returns {Promise<QuarterRow[]>}
 */
export const hiresByQuarter = (year) => fetchJson(`/reports/hires-by-quarter?year=${year}`);

/**
 * @param {number} year
 * @returns {Promise<DepartmentAboveMean[]>}
 */
export const departmentsAboveMean = (year) => fetchJson(`/reports/departments-above-mean?year=${year}`);

/** @returns {Promise<number[]>} the years that have hires, ascending */
export const yearsWithHires = () => fetchJson('/reports/years');

/**
 * @param {'hires-by-quarter' | 'departments-above-mean'} report
 * @param {number} year
 */
export const reportCsvUrl = (report, year) => `/reports/${report}?format=csv&year=${year}`;

/**
 * @param {number} limit
 * @returns {Promise<RunList>}
 */
export const latestRuns = (limit) => fetchJson(`/migrate/runs?limit=${limit}`);

/**
 * @param {number} id
 * @returns {Promise<RunWithRejects>}
 */
export const runWithRejects = (id) => fetchJson(`/migrate/runs/${id}`);

/**
 * @param {string} table
 * @returns {Promise<Backup[]>}
 */
export const backupsOf = (table) => fetchJson(`/backup/${table}`);

/** @param {number} id */
export const rejectsCsvUrl = (id) => `/migrate/runs/${id}/rejects.csv`;

/**
 * @param {string} table
 * @param {string} file
 */
export const backupFileUrl = (table, file) => `/backup/${encodeURIComponent(table)}/${encodeURIComponent(file)}`;

/**
 * A file of the API (a CSV report, rejected rows, a backup), fetched so that it carries the read key.
 * @param {string} url
 */
export async function fetchFile(url) {
  const response = await fetch(url, { headers: headers('*/*') });
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new Error(body?.message ? body.message : `HTTP ${response.status}`);
  }
  return response.blob();
}
