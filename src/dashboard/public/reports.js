// @ts-check
/** The two reports of a year: totals, two charts, and a table to filter, sort and download. */
import { departmentsAboveMean, hiresByQuarter, reportCsvUrl, yearsWithHires } from './api.js';
import { $, cell, compareNames, decimal, keyedDownload, number, setText } from './dom.js';

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
/** Below this chart width, bars lie down: department names then read across instead of overlapping. */
const HORIZONTAL_BELOW_PX = 640;
const BAR_ROW_PX = 30;

const state = {
  year: DEFAULT_YEAR,
  /** @type {QuarterRow[]} */
  rows: [],
  /** The years that have hires, ascending; null until known (or when they cannot be read). */
  years: /** @type {number[] | null} */ (null),
  /** What the charts show, to draw them again when the screen turns. */
  drawn: /** @type {{ summary: Summary, above: DepartmentAboveMean[] } | null} */ (null),
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

/**
 * The years with hires, newest first, and the year shown even when it has none; until the years are
 * known, the last ten.
 * @param {number} year
 */
function fillYearSelect(year) {
  const select = $('year-select', HTMLSelectElement);
  const current = new Date().getUTCFullYear();
  const withHires = state.years;
  /** @type {number[]} */
  let years;
  if (withHires) years = [...new Set([...withHires, year])].sort((a, b) => b - a);
  else
    years = Array.from({ length: 10 }, (_, i) => current - i).concat(
      year > current || year < current - 9 ? [year] : [],
    );
  select.textContent = '';
  for (const y of years) {
    const label = withHires && !withHires.includes(y) ? `${y} (no hires)` : String(y);
    select.append(new Option(label, String(y)));
  }
  select.value = String(year);
  $('year-prev', HTMLButtonElement).disabled = neighbourYear(year, -1) === null;
  $('year-next', HTMLButtonElement).disabled = neighbourYear(year, 1) === null;
}

/**
 * The next year with hires before or after this one (any year while the years are not known).
 * @param {number} year
 * @param {-1 | 1} step
 * @returns {number | null}
 */
function neighbourYear(year, step) {
  if (!state.years) return year + step;
  const candidates = state.years.filter((y) => (step < 0 ? y < year : y > year));
  if (!candidates.length) return null;
  return step < 0 ? Math.max(...candidates) : Math.min(...candidates);
}

async function loadYears() {
  try {
    state.years = await yearsWithHires();
  } catch {
    // The picker keeps its plain list of years; the reports say what went wrong.
    state.years = null;
  }
  fillYearSelect(state.year);
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
    (a, b) => b.total - a.total || compareNames(a.department, b.department),
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
  tooltip: {
    trigger: 'axis',
    axisPointer: { type: 'shadow' },
    valueFormatter: (value) => number.format(Number(value)),
  },
};

const AXIS_NAME_STYLE = { color: '#667085', fontWeight: 600 };
const LABEL_COLOR = '#475467';

/**
 * Lays the chart out for its width: upright bars on a wide screen, lying bars on a narrow one,
 * where the height grows with the number of departments.
 * @param {string} id
 * @param {number} bars
 */
function layout(id, bars) {
  const element = $(id);
  const horizontal = element.clientWidth < HORIZONTAL_BELOW_PX;
  element.classList.toggle('chart-horizontal', horizontal);
  element.style.height = horizontal ? `${Math.max(200, bars * BAR_ROW_PX + 90)}px` : '';
  return horizontal;
}

/**
 * @param {string[]} names
 * @param {boolean} horizontal
 */
const categoryAxis = (names, horizontal) =>
  horizontal
    ? {
        type: /** @type {const} */ ('category'),
        data: names,
        inverse: true,
        axisTick: { show: false },
        axisLabel: {
          interval: 0,
          color: LABEL_COLOR,
          fontSize: 12,
          lineHeight: 13,
          // A long name wraps onto a second line rather than being cut.
          width: 150,
          overflow: /** @type {const} */ ('break'),
        },
      }
    : {
        type: /** @type {const} */ ('category'),
        data: names,
        name: 'Department',
        nameLocation: /** @type {const} */ ('middle'),
        nameGap: 100,
        nameTextStyle: AXIS_NAME_STYLE,
        axisTick: { alignWithLabel: true },
        axisLabel: {
          interval: 0,
          rotate: 30,
          color: LABEL_COLOR,
          fontSize: 11,
          width: 170,
          overflow: /** @type {const} */ ('truncate'),
        },
      };

/** @param {boolean} horizontal */
const valueAxis = (horizontal) => ({
  type: /** @type {const} */ ('value'),
  name: 'Hires',
  nameLocation: /** @type {const} */ ('middle'),
  nameGap: horizontal ? 28 : 42,
  nameTextStyle: AXIS_NAME_STYLE,
  min: 0,
  splitNumber: horizontal ? 3 : 5,
  axisLabel: { color: LABEL_COLOR, formatter: (/** @type {number} */ value) => number.format(value) },
  splitLine: { lineStyle: { color: '#eef0f4' } },
});

/**
 * @param {string[]} names
 * @param {boolean} horizontal
 * @returns {Pick<ChartOption, 'xAxis' | 'yAxis'>}
 */
const axes = (names, horizontal) =>
  horizontal
    ? { yAxis: categoryAxis(names, true), xAxis: valueAxis(true) }
    : { xAxis: categoryAxis(names, false), yAxis: valueAxis(false) };

/** @param {Summary} summary */
function drawQuarters(summary) {
  const horizontal = layout('chart-quarters', summary.departments.length);
  return draw(chart('chart-quarters'), {
    ...baseOption,
    color: QUARTER_COLORS,
    legend: { top: 0, right: 0, itemWidth: 12, itemHeight: 12 },
    grid: horizontal
      ? { left: 8, right: 40, top: 32, bottom: 40, containLabel: true }
      : { left: 58, right: 16, top: 36, bottom: 118 },
    ...axes(
      summary.departments.map((d) => d.department),
      horizontal,
    ),
    series: QUARTERS.map((q, i) => ({
      name: q,
      type: 'bar',
      stack: 'hires',
      barMaxWidth: horizontal ? 20 : 42,
      emphasis: { focus: 'series' },
      // The department's total sits at the end of its stack.
      label: {
        show: i === QUARTERS.length - 1,
        position: horizontal ? 'right' : 'top',
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
  const horizontal = layout('chart-above-mean', rows.length);
  return draw(chart('chart-above-mean'), {
    ...baseOption,
    color: [ABOVE_COLOR],
    grid: horizontal
      ? { left: 8, right: 40, top: 32, bottom: 40, containLabel: true }
      : { left: 58, right: 64, top: 36, bottom: 118 },
    ...axes(
      rows.map((r) => r.department),
      horizontal,
    ),
    series: [
      {
        name: 'Hires',
        type: 'bar',
        barMaxWidth: horizontal ? 20 : 42,
        itemStyle: { borderRadius: horizontal ? [0, 4, 4, 0] : [4, 4, 0, 0] },
        label: {
          show: true,
          position: horizontal ? 'right' : 'top',
          color: '#1c2333',
          fontWeight: 600,
          formatter: (/** @type {{ value?: unknown }} */ params) => number.format(Number(params.value)),
        },
        data: rows.map((r) => r.hired),
        markLine: {
          symbol: 'none',
          silent: true,
          lineStyle: { color: '#c92a2a', type: 'dashed', width: 2 },
          label: {
            formatter: horizontal ? `Mean ${decimal.format(mean)}` : `Mean\n${decimal.format(mean)}`,
            // Lying bars: above the first bar, where no bar label is.
            position: horizontal ? 'start' : 'end',
            color: '#c92a2a',
            fontWeight: 600,
            lineHeight: 14,
          },
          data: [horizontal ? { xAxis: mean, name: 'Mean' } : { yAxis: mean, name: 'Mean' }],
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
  const names = summary.departments.map((d) => d.department).sort(compareNames);
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
    return sign * (typeof x === 'number' && typeof y === 'number' ? x - y : compareNames(String(x), String(y)));
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

/**
 * A header's button sorts by its column; a button answers Enter and Space by itself.
 * @param {Event} event
 */
function onSort(event) {
  const button = event.target instanceof Element ? event.target.closest('button.sort') : null;
  const th = button?.closest('th');
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
  state.drawn = { summary, above };
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

/** @param {-1 | 1} direction */
function step(direction) {
  const year = neighbourYear(state.year, direction);
  if (year !== null) go(year);
}

/**
 * Fits the charts to a new width; one whose bars must lie down or stand up (the width crossed
 * the threshold) is drawn again, the others only resized, so that no animation restarts.
 */
function redraw() {
  const drawn = state.drawn;
  if (!drawn || $('content').hidden) return;
  for (const [id, instance] of charts) {
    const width = $(id).clientWidth;
    if (width === 0) continue;
    const horizontal = width < HORIZONTAL_BELOW_PX;
    if (horizontal === $(id).classList.contains('chart-horizontal')) instance.resize();
    else if (id === 'chart-quarters') void drawQuarters(drawn.summary);
    else void drawAboveMean(drawn.above, drawn.summary.mean);
  }
}

/** Loads the reports of the year in view again, e.g. once a read key is given. */
export function reloadReports() {
  void load(state.year);
  void loadYears();
}

export function startReports() {
  const yearSelect = $('year-select', HTMLSelectElement);
  yearSelect.addEventListener('change', () => go(Number(yearSelect.value)));
  $('year-prev').addEventListener('click', () => step(-1));
  $('year-next').addEventListener('click', () => step(1));
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
  keyedDownload($('csv-quarters', HTMLAnchorElement), showError);
  keyedDownload($('csv-above', HTMLAnchorElement), showError);
  window.addEventListener('popstate', () => void load(yearFromUrl()));
  // A burst of resizes (a window dragged, a screenshot tool's brief 1 px viewport) ends in one redraw.
  let resizing = 0;
  window.addEventListener('resize', () => {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(redraw, 150);
  });
  void load(yearFromUrl());
  void loadYears();
}
