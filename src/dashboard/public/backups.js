// @ts-check
/** The AVRO backups of each table, newest first. */
import { backupFileUrl, backupsOf } from './api.js';
import { $, cell, decimal, downloadLink, number, scrollRegion } from './dom.js';

/** @typedef {import('./api.js').Backup} Backup */

const TABLES = ['departments', 'jobs', 'hired_employees'];
const BACKUPS_SHOWN = 10;

/** @param {number} bytes */
function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${decimal.format(bytes / 1024)} KB`;
  return `${decimal.format(bytes / (1024 * 1024))} MB`;
}

/**
 * @param {string} table
 * @param {Backup[]} list
 */
function tableSection(table, list) {
  const section = document.createElement('section');
  section.className = 'backup-table';
  section.dataset.table = table;
  section.dataset.testid = `backups-${table}`;
  section.append(cell('h3', table + (list.length ? ` (${list.length})` : '')));
  if (!list.length) {
    section.append(cell('p', 'No backup yet', 'caption'));
    return section;
  }
  const wrap = scrollRegion(document.createElement('div'), `Backups of ${table}`);
  wrap.className = 'table-wrap';
  const t = document.createElement('table');
  t.append(cell('caption', `Backups of ${table}`, 'visually-hidden'));
  const body = document.createElement('tbody');
  for (const backup of list.slice(0, BACKUPS_SHOWN)) {
    const tr = document.createElement('tr');
    tr.dataset.testid = 'backup-row';
    const download = document.createElement('td');
    const link = downloadLink(backupFileUrl(table, backup.file), 'Download', backup.file, showError);
    link.setAttribute('aria-label', `Download ${backup.file}`);
    link.dataset.testid = 'backup-download';
    download.append(link);
    tr.append(
      cell('td', backup.file, 'file-name'),
      cell('td', backup.rows === null ? '–' : `${number.format(backup.rows)} rows`, 'num'),
      cell('td', formatSize(backup.bytes), 'num'),
      download,
    );
    body.append(tr);
  }
  t.append(body);
  wrap.append(t);
  section.append(wrap);
  return section;
}

/** @param {string} message */
function showError(message) {
  const element = $('backups-error');
  element.textContent = message;
  element.hidden = false;
}

export async function loadBackups() {
  const container = $('backups');
  try {
    const lists = await Promise.all(TABLES.map((table) => backupsOf(table)));
    container.replaceChildren(...TABLES.map((table, i) => tableSection(table, lists[i])));
    container.dataset.state = 'ready';
  } catch (error) {
    container.textContent = `The backups could not be loaded: ${/** @type {Error} */ (error).message}`;
    container.dataset.state = 'error';
  }
}
