// @ts-check
/** The page's entry: the read key form, then the reports, the runs and the backups, each from the API. */
import { onKeyNeeded, saveReadKey } from './api.js';
import { loadBackups } from './backups.js';
import { $ } from './dom.js';
import { reloadReports, startReports } from './reports.js';
import { startRuns } from './runs.js';

onKeyNeeded((needed) => {
  $('key-form').hidden = !needed;
});
$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('read-key', HTMLInputElement);
  saveReadKey(input.value.trim());
  input.value = '';
  reloadReports();
});

startReports();
startRuns();
void loadBackups();
