// @ts-check
/** The two reports of a year: totals, two charts, and a table to filter, sort and download. */
import { departmentsAboveMean, fetchCsv, hasReadKey, hiresByQuarter, reportCsvUrl } from './api.js';
import { $, cell, collator, decimal, number, setText } from './dom.js';

/**
 * @typedef {import('./api.js').QuarterRow} QuarterRow
 * @typedef {import('./api.js').DepartmentAboveMean} DepartmentAboveMean
 * @typedef {{ department: string, quarters: number[], total: number }} DepartmentTotal
 * @typedef {{ total: number, departments: DepartmentTotal[], jobs: number, mean: number }} Summary
 * @typedef {'department' | 'job' | 'Q1' | 'Q2' | 'Q3' | 'Q4' | 'total'} SortKey
 * @typedef {{ key: SortKey, dir: 'ascending' | 'descending' }} Sort
 * @typedef {import('echarts').ECharts} Chart
 * @typedef {import('echarts').EChartsOption} ChartOption
 */

/** ECharts comes from its own classic script, which runs before any module. */
const echarts = /** @type {typeof import('echarts')} */ (/** @type {any} */ (globalThis).echarts);

const DEFAULT_YEAR = 2021;
/** @type {readonly ['Q1', 'Q2', 'Q3', 'Q4']} */
const QUARTERS = ['Q1', 'Q2', 'Q3', 'Q4'];
const QUARTER_COLORS = ['#3b5bdb', '#15aabf', '#40c057', '#fab005'];
const ABOVE_COLOR = '#7048e8';

const state = {
  year: DEFAULT_YEAR,
  /** @type {QuarterRow[]} */
  rows: [],
  /** @type {Sort | null} */
  sort: null,
  filter: '',
  /** Answers to an older request (the year changed meanwhile) are dropped. */
  request: 0,
};
/** @type {Map<string, Chart>} */
const charts = new Map();

function yearFromUrl() {
  const value = new URLSearchParams(window.location.search).get('year');
  return value && /^\d{4}$/.test(value) ? Number(value) : DEFAULT_YEAR;
}

/** @param {number} year */
function fillYearSelect(year) {
  const select = $('year-select', HTMLSelectElement);
  const current = new Date().getUTCFullYear();
  const last = Math.max(current, year);
  const first = Math.min(current - 9, year);
  select.textContent = '';
  for (let y = last; y >= first; y -= 1) select.append(new Option(String(y), String(y)));
  select.value = String(year);
}

/**
 * Totals per department (and overall) from the quarterly report; the mean is over departments that hired.
 * @param {QuarterRow[]} rows
 * @returns {Summary}
 */
function summarize(rows) {
  /** @type {Map<string, DepartmentTotal>} */
  const byDepartment = new Map();
  const jobs = new Set();
  let total = 0;
  for (const row of rows) {
    let entry = byDepartment.get(row.department);
    if (!entry) {
      entry = { department: row.department, quarters: [0, 0, 0, 0], total: 0 };
      byDepartment.set(row.department, entry);
    }
    QUARTERS.forEach((q, i) => {
      /** @type {DepartmentTotal} */ (entry).quarters[i] += row[q];
      /** @type {DepartmentTotal} */ (entry).total += row[q];
      total += row[q];
    });
    jobs.add(row.job);
  }
  const departments = [...byDepartment.values()].sort(
    (a, b) => b.total - a.total || collator.compare(a.department, b.department),
  );
  return { total, departments, jobs: jobs.size, mean: departments.length ? total / departments.length : 0 };
}

/** @param {string} id */
function chart(id) {
  let instance = charts.get(id);
  if (!instance) {
    instance = echarts.init($(id), null, { renderer: 'svg' });
    charts.set(id, instance);
  }
  return instance;
}

/**
 * Resolves when ECharts has drawn the option (animations included).
 * @param {Chart} instance
 * @param {ChartOption} option
 * @returns {Promise<void>}
 */
function draw(instance, option) {
  return new Promise((resolve) => {
    const done = () => {
      instance.off('finished', done);
      resolve();
    };
    instance.on('finished', done);
    // A chart first drawn while hidden has no size; a late 'finished' must not block the page.
    instance.resize();
    instance.setOption(option, true);
    window.setTimeout(done, 3000);
  });
}

/** @type {ChartOption} */
const baseOption = {
  textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
  animationDuration: 400,
  tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
};

/**
 * @param {string[]} names
 * @returns {import('echarts').XAXisComponentOption}
 */
const categoryAxis = (names) => ({
  type: 'category',
  data: names,
  name: 'Department',
  nameLocation: 'middle',
  nameGap: 100,
  nameTextStyle: { color: '#667085', fontWeight: 600 },
  axisTick: { alignWithLabel: true },
  axisLabel: { interval: 0, rotate: 30, color: '#475467', fontSize: 11, width: 170, overflow: 'truncate' },
});

/** @returns {import('echarts').YAXisComponentOption} */
const valueAxis = () => ({
  type: 'value',
  name: 'Hires',
  nameLocation: 'middle',
  nameGap: 42,
  nameTextStyle: { color: '#667085', fontWeight: 600 },
  axisLabel: { color: '#475467' },
  splitLine: { lineStyle: { color: '#eef0f4' } },
});

/** @param {Summary} summary */
function drawQuarters(summary) {
  return draw(chart('chart-quarters'), {
    ...baseOption,
    color: QUARTER_COLORS,
    legend: { top: 0, right: 0, itemWidth: 12, itemHeight: 12 },
    grid: { left: 58, right: 16, top: 36, bottom: 118 },
    xAxis: categoryAxis(summary.departments.map((d) => d.department)),
    yAxis: valueAxis(),
    series: QUARTERS.map((q, i) => ({
      name: q,
      type: 'bar',
      stack: 'hires',
      barMaxWidth: 42,
      emphasis: { focus: 'series' },
      // The department's total sits on top of its stack.
      label: {
        show: i === QUARTERS.length - 1,
        position: 'top',
        color: '#1c2333',
        fontWeight: 600,
        formatter: (/** @type {{ dataIndex: number }} */ params) =>
          number.format(summary.departments[params.dataIndex].total),
      },
      data: summary.departments.map((d) => d.quarters[i]),
    })),
  });
}

/**
 * @param {DepartmentAboveMean[]} rows
 * @param {number} mean
 */
function drawAboveMean(rows, mean) {
  return draw(chart('chart-above-mean'), {
    ...baseOption,
    color: [ABOVE_COLOR],
    grid: { left: 58, right: 64, top: 36, bottom: 118 },
    xAxis: categoryAxis(rows.map((r) => r.department)),
    yAxis: { ...valueAxis(), min: 0 },
    series: [
      {
        name: 'Hires',
        type: 'bar',
        barMaxWidth: 42,
        itemStyle: { borderRadius: [4, 4, 0, 0] },
        label: { show: true, position: 'top', color: '#1c2333', fontWeight: 600 },
        data: rows.map((r) => r.hired),
        markLine: {
          symbol: 'none',
          silent: true,
          lineStyle: { color: '#e03131', type: 'dashed', width: 2 },
          label: {
            formatter: `Mean\n${decimal.format(mean)}`,
            position: 'end',
            color: '#e03131',
            fontWeight: 600,
            lineHeight: 14,
          },
          data: [{ yAxis: mean, name: 'Mean' }],
        },
      },
    ],
  });
}

/** @param {Summary} summary */
function renderCaptions(summary) {
  setText('caption-quarters', `Stacked by quarter of hire (UTC); departments by total hires in ${state.year}`);
  setText(
    'caption-above',
    `Mean over the ${summary.departments.length} departments that hired in ${state.year}: ` +
      `${decimal.format(summary.mean)} hires`,
  );
}

/**
 * @param {Summary} summary
 * @param {number} aboveCount
 */
function renderKpis(summary, aboveCount) {
  setText('kpi-hires', number.format(summary.total));
  setText('kpi-departments', number.format(summary.departments.length));
  setText('kpi-jobs', number.format(summary.jobs));
  setText('kpi-mean', summary.departments.length ? decimal.format(summary.mean) : '–');
  setText('kpi-above', number.format(aboveCount));
  for (const label of document.querySelectorAll('.year-label')) label.textContent = String(state.year);
}

/** @param {Summary} summary */
function fillDepartmentFilter(summary) {
  const select = $('department-filter', HTMLSelectElement);
  const names = summary.departments.map((d) => d.department).sort(collator.compare);
  while (select.options.length > 1) select.remove(1);
  for (const name of names) select.append(new Option(name, name));
  if (!names.includes(state.filter)) state.filter = '';
  select.value = state.filter;
}

/** @param {QuarterRow} row */
const rowTotal = (row) => row.Q1 + row.Q2 + row.Q3 + row.Q4;

function visibleRows() {
  const rows = state.rows.filter((row) => !state.filter || row.department === state.filter);
  const sort = state.sort;
  if (!sort) return rows;
  const sign = sort.dir === 'ascending' ? 1 : -1;
  /** @param {QuarterRow} row */
  const value = (row) => (sort.key === 'total' ? rowTotal(row) : row[sort.key]);
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    return sign * (typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y)));
  });
}

function renderTable() {
  const rows = visibleRows();
  const body = document.createElement('tbody');
  const sums = [0, 0, 0, 0, 0];
  for (const row of rows) {
    const tr = document.createElement('tr');
    tr.append(cell('td', row.department), cell('td', row.job));
    [...QUARTERS, 'total'].forEach((q, i) => {
      const value = q === 'total' ? rowTotal(row) : row[/** @type {'Q1'} */ (q)];
      sums[i] += value;
      tr.append(cell('td', number.format(value), value === 0 ? 'num zero' : 'num'));
    });
    body.append(tr);
  }
  const table = $('table-quarters', HTMLTableElement);
  table.replaceChild(body, table.tBodies[0]);
  const footer = /** @type {HTMLTableSectionElement} */ (table.tFoot).rows[0].cells;
  sums.forEach((sum, i) => {
    footer[i + 1].textContent = number.format(sum);
  });
  setText('row-count', number.format(rows.length) + (rows.length === 1 ? ' row' : ' rows'));
  const sort = state.sort;
  for (const th of /** @type {HTMLTableSectionElement} */ (table.tHead).rows[0].cells) {
    if (sort && sort.key === th.dataset.key) th.setAttribute('aria-sort', sort.dir);
    else th.removeAttribute('aria-sort');
  }
}

/** @param {Event} event */
function onSort(event) {
  const th = event.target instanceof Element ? event.target.closest('th') : null;
  const key = /** @type {SortKey | undefined} */ (th?.dataset.key);
  if (!key) return;
  const numeric = key !== 'department' && key !== 'job';
  if (state.sort?.key === key) {
    state.sort.dir = state.sort.dir === 'ascending' ? 'descending' : 'ascending';
  } else {
    state.sort = { key, dir: numeric ? 'descending' : 'ascending' };
  }
  renderTable();
}

/**
 * CSV downloads go through fetch when a read key is set, so that they carry it.
 * @param {MouseEvent} event
 */
async function downloadCsv(event) {
  if (!hasReadKey()) return;
  event.preventDefault();
  const link = /** @type {HTMLAnchorElement} */ (event.currentTarget);
  try {
    const blob = await fetchCsv(link.href);
    const a = document.createElement('a');
    a.href = window.URL.createObjectURL(blob);
    a.download = link.getAttribute('download') || 'report.csv';
    a.click();
    window.URL.revokeObjectURL(a.href);
  } catch (error) {
    showError(/** @type {Error} */ (error).message);
  }
}

/** @param {number} year */
function setCsvLinks(year) {
  $('csv-quarters', HTMLAnchorElement).href = reportCsvUrl('hires-by-quarter', year);
  $('csv-above', HTMLAnchorElement).href = reportCsvUrl('departments-above-mean', year);
}

/** @param {string} message */
function showError(message) {
  const element = $('error');
  element.textContent = message ? `The reports could not be loaded: ${message}` : '';
  element.hidden = !message;
}

/** @param {number} year */
async function load(year) {
  const request = (state.request += 1);
  state.year = year;
  document.body.dataset.state = 'loading';
  fillYearSelect(year);
  setCsvLinks(year);
  try {
    const [rows, above] = await Promise.all([hiresByQuarter(year), departmentsAboveMean(year)]);
    if (request !== state.request) return;
    await render(rows, above);
    if (request !== state.request) return;
    document.body.dataset.state = 'ready';
  } catch (error) {
    if (request !== state.request) return;
    showError(/** @type {Error} */ (error).message);
    document.body.dataset.state = 'error';
  }
}

/**
 * @param {QuarterRow[]} rows
 * @param {DepartmentAboveMean[]} above
 */
async function render(rows, above) {
  showError('');
  state.rows = rows;
  const summary = summarize(rows);
  const empty = rows.length === 0;
  document.body.dataset.empty = String(empty);
  renderKpis(summary, above.length);
  $('empty').hidden = !empty;
  $('content').hidden = empty;
  if (empty) return;
  renderCaptions(summary);
  fillDepartmentFilter(summary);
  renderTable();
  await Promise.all([drawQuarters(summary), drawAboveMean(above, summary.mean)]);
}

/**
 * The year goes into the URL, so that reloading or sharing the page keeps it.
 * @param {number} year
 */
function go(year) {
  const url = new URL(window.location.href);
  url.searchParams.set('year', String(year));
  window.history.pushState({ year }, '', url);
  void load(year);
}

/** Loads the reports of the year in view again, e.g. once a read key is given. */
export function reloadReports() {
  void load(state.year);
}

export function startReports() {
  const yearSelect = $('year-select', HTMLSelectElement);
  yearSelect.addEventListener('change', () => go(Number(yearSelect.value)));
  $('year-prev').addEventListener('click', () => go(state.year - 1));
  $('year-next').addEventListener('click', () => go(state.year + 1));
  $('year-form').addEventListener('submit', (event) => event.preventDefault());
  const filter = $('department-filter', HTMLSelectElement);
  filter.addEventListener('change', () => {
    state.filter = filter.value;
    renderTable();
  });
  /** @type {HTMLTableSectionElement} */ ($('table-quarters', HTMLTableElement).tHead).addEventListener(
    'click',
    onSort,
  );
  $('csv-quarters').addEventListener('click', downloadCsv);
  $('csv-above').addEventListener('click', downloadCsv);
  window.addEventListener('popstate', () => void load(yearFromUrl()));
  window.addEventListener('resize', () => {
    for (const instance of charts.values()) instance.resize();
  });
  void load(yearFromUrl());
}
