'use strict';

(function () {
  var DEFAULT_YEAR = 2021;
  var QUARTERS = ['Q1', 'Q2', 'Q3', 'Q4'];
  var QUARTER_COLORS = ['#3b5bdb', '#15aabf', '#40c057', '#fab005'];
  var ABOVE_COLOR = '#7048e8';
  var number = new Intl.NumberFormat('en-US');
  var decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
  var collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

  var state = { year: DEFAULT_YEAR, rows: [], sort: null, filter: '', request: 0 };
  var charts = {};

  function $(id) {
    return document.getElementById(id);
  }

  function yearFromUrl() {
    var value = new URLSearchParams(window.location.search).get('year');
    return value && /^\d{4}$/.test(value) ? Number(value) : DEFAULT_YEAR;
  }

  function fillYearSelect(year) {
    var select = $('year-select');
    var current = new Date().getUTCFullYear();
    var last = Math.max(current, year);
    var first = Math.min(current - 9, year);
    select.textContent = '';
    for (var y = last; y >= first; y -= 1) {
      var option = document.createElement('option');
      option.value = String(y);
      option.textContent = String(y);
      select.appendChild(option);
    }
    select.value = String(year);
  }

  // With READ_API_KEY set, reads need the key: kept for this tab only (sessionStorage), never in the URL.
  var KEY_ITEM = 'hr.readKey';

  function headers(accept) {
    var result = { Accept: accept };
    var key = window.sessionStorage.getItem(KEY_ITEM);
    if (key) result.Authorization = 'Bearer ' + key;
    return result;
  }

  function fetchJson(path) {
    return fetch(path, { headers: headers('application/json') }).then(function (response) {
      $('key-form').hidden = response.status !== 401;
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body && body.message ? body.message : 'HTTP ' + response.status);
        return body;
      });
    });
  }

  /** Totals per department (and overall) from the quarterly report; the mean is over departments that hired. */
  function summarize(rows) {
    var byDepartment = new Map();
    var jobs = new Set();
    var total = 0;
    rows.forEach(function (row) {
      var entry = byDepartment.get(row.department);
      if (!entry) {
        entry = { department: row.department, quarters: [0, 0, 0, 0], total: 0 };
        byDepartment.set(row.department, entry);
      }
      QUARTERS.forEach(function (q, i) {
        entry.quarters[i] += row[q];
        entry.total += row[q];
        total += row[q];
      });
      jobs.add(row.job);
    });
    var departments = Array.from(byDepartment.values()).sort(function (a, b) {
      return b.total - a.total || collator.compare(a.department, b.department);
    });
    return {
      total: total,
      departments: departments,
      jobs: jobs.size,
      mean: departments.length ? total / departments.length : 0,
    };
  }

  function chart(id) {
    if (!charts[id]) charts[id] = echarts.init($(id), null, { renderer: 'svg' });
    return charts[id];
  }

  /** Resolves when ECharts has drawn the option (animations included). */
  function draw(instance, option) {
    return new Promise(function (resolve) {
      var done = function () {
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

  var baseOption = {
    textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
    animationDuration: 400,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
  };

  function categoryAxis(names) {
    return {
      type: 'category',
      data: names,
      name: 'Department',
      nameLocation: 'middle',
      nameGap: 100,
      nameTextStyle: { color: '#667085', fontWeight: 600 },
      axisTick: { alignWithLabel: true },
      axisLabel: { interval: 0, rotate: 30, color: '#475467', fontSize: 11, width: 170, overflow: 'truncate' },
    };
  }

  function valueAxis() {
    return {
      type: 'value',
      name: 'Hires',
      nameLocation: 'middle',
      nameGap: 42,
      nameTextStyle: { color: '#667085', fontWeight: 600 },
      axisLabel: { color: '#475467' },
      splitLine: { lineStyle: { color: '#eef0f4' } },
    };
  }

  function drawQuarters(summary) {
    var names = summary.departments.map(function (d) {
      return d.department;
    });
    return draw(
      chart('chart-quarters'),
      Object.assign({}, baseOption, {
        color: QUARTER_COLORS,
        legend: { top: 0, right: 0, itemWidth: 12, itemHeight: 12 },
        grid: { left: 58, right: 16, top: 36, bottom: 118 },
        xAxis: categoryAxis(names),
        yAxis: valueAxis(),
        series: QUARTERS.map(function (q, i) {
          var last = i === QUARTERS.length - 1;
          return {
            name: q,
            type: 'bar',
            stack: 'hires',
            barMaxWidth: 42,
            emphasis: { focus: 'series' },
            // The department's total sits on top of its stack.
            label: {
              show: last,
              position: 'top',
              color: '#1c2333',
              fontWeight: 600,
              formatter: function (params) {
                return number.format(summary.departments[params.dataIndex].total);
              },
            },
            data: summary.departments.map(function (d) {
              return d.quarters[i];
            }),
          };
        }),
      }),
    );
  }

  function drawAboveMean(rows, mean) {
    return draw(
      chart('chart-above-mean'),
      Object.assign({}, baseOption, {
        color: [ABOVE_COLOR],
        grid: { left: 58, right: 64, top: 36, bottom: 118 },
        xAxis: categoryAxis(
          rows.map(function (r) {
            return r.department;
          }),
        ),
        yAxis: Object.assign(valueAxis(), { min: 0 }),
        series: [
          {
            name: 'Hires',
            type: 'bar',
            barMaxWidth: 42,
            itemStyle: { borderRadius: [4, 4, 0, 0] },
            label: { show: true, position: 'top', color: '#1c2333', fontWeight: 600 },
            data: rows.map(function (r) {
              return r.hired;
            }),
            markLine: {
              symbol: 'none',
              silent: true,
              lineStyle: { color: '#e03131', type: 'dashed', width: 2 },
              label: {
                formatter: 'Mean\n' + decimal.format(mean),
                position: 'end',
                color: '#e03131',
                fontWeight: 600,
                lineHeight: 14,
              },
              data: [{ yAxis: mean, name: 'Mean' }],
            },
          },
        ],
      }),
    );
  }

  function setText(id, value) {
    $(id).textContent = value;
  }

  function renderCaptions(summary) {
    setText('caption-quarters', 'Stacked by quarter of hire (UTC); departments by total hires in ' + state.year);
    setText(
      'caption-above',
      'Mean over the ' +
        summary.departments.length +
        ' departments that hired in ' +
        state.year +
        ': ' +
        decimal.format(summary.mean) +
        ' hires',
    );
  }

  function renderKpis(summary, aboveCount) {
    setText('kpi-hires', number.format(summary.total));
    setText('kpi-departments', number.format(summary.departments.length));
    setText('kpi-jobs', number.format(summary.jobs));
    setText('kpi-mean', summary.departments.length ? decimal.format(summary.mean) : '–');
    setText('kpi-above', number.format(aboveCount));
    Array.prototype.forEach.call(document.querySelectorAll('.year-label'), function (el) {
      el.textContent = String(state.year);
    });
  }

  function fillDepartmentFilter(summary) {
    var select = $('department-filter');
    var names = summary.departments
      .map(function (d) {
        return d.department;
      })
      .sort(collator.compare);
    while (select.options.length > 1) select.remove(1);
    names.forEach(function (name) {
      var option = document.createElement('option');
      option.value = name;
      option.textContent = name;
      select.appendChild(option);
    });
    if (names.indexOf(state.filter) < 0) state.filter = '';
    select.value = state.filter;
  }

  function rowTotal(row) {
    return row.Q1 + row.Q2 + row.Q3 + row.Q4;
  }

  function visibleRows() {
    var rows = state.rows.filter(function (row) {
      return !state.filter || row.department === state.filter;
    });
    if (!state.sort) return rows;
    var key = state.sort.key;
    var sign = state.sort.dir === 'ascending' ? 1 : -1;
    return rows.slice().sort(function (a, b) {
      var x = key === 'total' ? rowTotal(a) : a[key];
      var y = key === 'total' ? rowTotal(b) : b[key];
      var order = typeof x === 'number' ? x - y : collator.compare(x, y);
      return sign * order;
    });
  }

  function cell(tag, text, className) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (className) el.className = className;
    return el;
  }

  function renderTable() {
    var rows = visibleRows();
    var body = document.createElement('tbody');
    var sums = [0, 0, 0, 0, 0];
    rows.forEach(function (row) {
      var tr = document.createElement('tr');
      tr.appendChild(cell('td', row.department));
      tr.appendChild(cell('td', row.job));
      QUARTERS.concat('total').forEach(function (q, i) {
        var value = q === 'total' ? rowTotal(row) : row[q];
        sums[i] += value;
        tr.appendChild(cell('td', number.format(value), value === 0 ? 'num zero' : 'num'));
      });
      body.appendChild(tr);
    });
    var table = $('table-quarters');
    table.replaceChild(body, table.tBodies[0]);
    var footer = table.tFoot.rows[0].cells;
    sums.forEach(function (sum, i) {
      footer[i + 1].textContent = number.format(sum);
    });
    setText('row-count', number.format(rows.length) + (rows.length === 1 ? ' row' : ' rows'));
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      var sorted = state.sort && state.sort.key === th.dataset.key;
      if (sorted) th.setAttribute('aria-sort', state.sort.dir);
      else th.removeAttribute('aria-sort');
    });
  }

  function onSort(event) {
    var key = event.target.closest('th') && event.target.closest('th').dataset.key;
    if (!key) return;
    var numeric = key !== 'department' && key !== 'job';
    if (state.sort && state.sort.key === key) {
      state.sort.dir = state.sort.dir === 'ascending' ? 'descending' : 'ascending';
    } else {
      state.sort = { key: key, dir: numeric ? 'descending' : 'ascending' };
    }
    renderTable();
  }

  /** CSV downloads go through fetch so that they carry the read key too. */
  function downloadCsv(event) {
    if (!window.sessionStorage.getItem(KEY_ITEM)) return;
    event.preventDefault();
    var link = event.currentTarget;
    fetch(link.href, { headers: headers('text/csv') })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.blob();
      })
      .then(function (blob) {
        var a = document.createElement('a');
        a.href = window.URL.createObjectURL(blob);
        a.download = link.getAttribute('download') || 'report.csv';
        a.click();
        window.URL.revokeObjectURL(a.href);
      })
      .catch(function (error) {
        showError(error.message);
      });
  }

  function setCsvLinks(year) {
    $('csv-quarters').href = '/reports/hires-by-quarter?format=csv&year=' + year;
    $('csv-above').href = '/reports/departments-above-mean?format=csv&year=' + year;
  }

  function showError(message) {
    var el = $('error');
    el.textContent = message ? 'The reports could not be loaded: ' + message : '';
    el.hidden = !message;
  }

  function load(year) {
    var request = (state.request += 1);
    state.year = year;
    document.body.dataset.state = 'loading';
    fillYearSelect(year);
    setCsvLinks(year);
    var query = '?year=' + year;
    return Promise.all([
      fetchJson('/reports/hires-by-quarter' + query),
      fetchJson('/reports/departments-above-mean' + query),
    ])
      .then(function (results) {
        if (request !== state.request) return null;
        return render(results[0], results[1]).then(function () {
          if (request !== state.request) return;
          document.body.dataset.state = 'ready';
        });
      })
      .catch(function (error) {
        if (request !== state.request) return;
        showError(error.message);
        document.body.dataset.state = 'error';
      });
  }

  function render(rows, above) {
    showError('');
    state.rows = rows;
    var summary = summarize(rows);
    var empty = rows.length === 0;
    document.body.dataset.empty = String(empty);
    renderKpis(summary, above.length);
    $('empty').hidden = !empty;
    $('content').hidden = empty;
    if (empty) return Promise.resolve();
    renderCaptions(summary);
    fillDepartmentFilter(summary);
    renderTable();
    return Promise.all([drawQuarters(summary), drawAboveMean(above, summary.mean)]);
  }

  function go(year) {
    var url = new window.URL(window.location.href);
    url.searchParams.set('year', String(year));
    window.history.pushState({ year: year }, '', url);
    load(year);
  }

  /* Migration runs and backups: read from the API like any other client. */

  var TABLES = ['departments', 'jobs', 'hired_employees'];
  var RUNS_SHOWN = 12;
  var BATCHES_SHOWN = 50;
  var POLL_RUNNING_MS = 2000;
  var POLL_IDLE_MS = 15000;
  var runs = { timer: null, selected: null, request: 0 };

  function formatMs(ms) {
    if (ms === null || ms === undefined) return '–';
    if (ms < 1000) return ms + ' ms';
    if (ms < 60000) return decimal.format(ms / 1000) + ' s';
    return Math.floor(ms / 60000) + ' min ' + Math.round((ms % 60000) / 1000) + ' s';
  }

  function formatInstant(iso) {
    return iso ? iso.replace('T', ' ').slice(0, 19) : '–';
  }

  function formatSize(bytes) {
    if (bytes < 1024) return bytes + ' B';
    if (bytes < 1024 * 1024) return decimal.format(bytes / 1024) + ' KB';
    return decimal.format(bytes / (1024 * 1024)) + ' MB';
  }

  function percentOf(run) {
    var p = run.progress;
    return p && p.bytesTotal ? Math.floor((p.bytesRead / p.bytesTotal) * 100) + '%' : '';
  }

  function statusBadge(run) {
    var text = run.status === 'running' ? ('running ' + percentOf(run)).trim() : run.status;
    var badge = cell('span', text, 'status status-' + run.status);
    badge.dataset.testid = 'run-status';
    return badge;
  }

  function runDuration(run) {
    if (run.status !== 'running') return formatMs(run.durationMs);
    return formatMs(Math.max(0, Date.now() - Date.parse(run.startedAt)));
  }

  function renderRuns(list) {
    var body = document.createElement('tbody');
    list.items.forEach(function (run) {
      var tr = document.createElement('tr');
      tr.dataset.runId = String(run.id);
      tr.dataset.status = run.status;
      tr.dataset.testid = 'run-row';
      tr.tabIndex = 0;
      tr.setAttribute('aria-selected', String(run.id === runs.selected));
      tr.appendChild(cell('td', String(run.id), 'num'));
      var status = document.createElement('td');
      status.appendChild(statusBadge(run));
      tr.appendChild(status);
      tr.appendChild(cell('td', run.table));
      tr.appendChild(cell('td', run.file === null ? '(JSON batch)' : run.file));
      tr.appendChild(cell('td', number.format(run.rowsRead), 'num'));
      tr.appendChild(cell('td', number.format(run.rowsInserted), 'num'));
      tr.appendChild(cell('td', number.format(run.rowsRejected), run.rowsRejected === 0 ? 'num zero' : 'num'));
      tr.appendChild(cell('td', runDuration(run), 'num'));
      tr.appendChild(cell('td', formatInstant(run.startedAt)));
      body.appendChild(tr);
    });
    var table = $('table-runs');
    table.replaceChild(body, table.tBodies[0]);
    table.dataset.state = 'ready';
    $('runs-empty').hidden = list.items.length > 0;
    setText('runs-count', list.total > list.items.length ? list.items.length + ' of ' + list.total : '');
  }

  function loadRuns() {
    window.clearTimeout(runs.timer);
    return fetchJson('/migrate/runs?limit=' + RUNS_SHOWN)
      .then(function (list) {
        $('runs-error').hidden = true;
        renderRuns(list);
        var running = list.items.some(function (run) {
          return run.status === 'running';
        });
        var selected = list.items.filter(function (run) {
          return run.id === runs.selected;
        })[0];
        if (selected && selected.status === 'running') openRun(selected.id);
        return running;
      })
      .catch(function (error) {
        $('runs-error').textContent = 'The runs could not be loaded: ' + error.message;
        $('runs-error').hidden = false;
        return false;
      })
      .then(function (running) {
        runs.timer = window.setTimeout(loadRuns, running ? POLL_RUNNING_MS : POLL_IDLE_MS);
      });
  }

  function errorsTable(errors) {
    var table = document.createElement('table');
    var head = document.createElement('thead');
    var headRow = document.createElement('tr');
    ['Line', 'Field', 'Value', 'Reason'].forEach(function (name, i) {
      var th = cell('th', name, i === 0 ? 'num' : '');
      th.scope = 'col';
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = document.createElement('tbody');
    errors.forEach(function (error) {
      var tr = document.createElement('tr');
      tr.appendChild(cell('td', String(error.line), 'num'));
      tr.appendChild(cell('td', error.field === null ? '(row)' : error.field));
      tr.appendChild(cell('td', error.value === null ? '(missing)' : JSON.stringify(error.value)));
      var reason = cell('td', error.reason, 'reason');
      reason.dataset.testid = 'reject-reason';
      tr.appendChild(reason);
      body.appendChild(tr);
    });
    table.appendChild(body);
    return table;
  }

  function renderRunDetail(run) {
    var what = run.table + (run.file ? ' · ' + run.file : ' · JSON batch') + ' · ' + run.status;
    setText('run-detail-title', 'Run ' + run.id + ': ' + what);
    var batches = run.rejected.length;
    setText(
      'run-detail-summary',
      number.format(run.rowsRead) +
        ' rows read, ' +
        number.format(run.rowsInserted) +
        ' inserted, ' +
        number.format(run.rowsRejected) +
        ' rejected; ' +
        number.format(batches) +
        (batches === 1 ? ' rejected batch' : ' rejected batches') +
        (run.error ? '. ' + run.error : ''),
    );
    var container = document.createElement('div');
    container.id = 'run-detail-batches';
    container.className = 'batches';
    container.dataset.testid = 'run-detail-batches';
    run.rejected.slice(0, BATCHES_SHOWN).forEach(function (batch) {
      var section = document.createElement('section');
      section.className = 'batch';
      section.dataset.testid = 'rejected-batch';
      section.appendChild(cell('h3', 'Batch ' + batch.batch + ', lines ' + batch.firstLine + '–' + batch.lastLine));
      section.appendChild(errorsTable(batch.errors));
      container.appendChild(section);
    });
    if (batches > BATCHES_SHOWN) {
      container.appendChild(
        cell('p', 'And ' + (batches - BATCHES_SHOWN) + ' more batches: GET /migrate/runs/' + run.id, 'caption'),
      );
    }
    // The answer holds one page of the reject log; say how many rows it leaves out.
    var shownRows = run.rejected.reduce(function (n, batch) {
      return n + batch.rows.length;
    }, 0);
    if (run.rejectedTotal > shownRows) {
      container.appendChild(
        cell(
          'p',
          'And ' +
            number.format(run.rejectedTotal - shownRows) +
            ' more rejected rows: GET /migrate/runs/' +
            run.id +
            '?rejectedOffset=' +
            shownRows,
          'caption',
        ),
      );
    }
    if (batches === 0) container.appendChild(cell('p', 'No rejected rows.', 'caption'));
    var old = $('run-detail-batches');
    old.parentNode.replaceChild(container, old);
    $('run-detail').dataset.runId = String(run.id);
  }

  function openRun(id) {
    runs.selected = id;
    var request = (runs.request += 1);
    Array.prototype.forEach.call($('table-runs').tBodies[0].rows, function (tr) {
      tr.setAttribute('aria-selected', String(tr.dataset.runId === String(id)));
    });
    return fetchJson('/migrate/runs/' + id)
      .then(function (run) {
        if (request !== runs.request) return;
        $('run-detail-error').hidden = true;
        renderRunDetail(run);
      })
      .catch(function (error) {
        if (request !== runs.request) return;
        $('run-detail-error').textContent = 'The run could not be loaded: ' + error.message;
        $('run-detail-error').hidden = false;
      });
  }

  function onRunPicked(event) {
    var tr = event.target.closest('tr[data-run-id]');
    if (!tr || (event.type === 'keydown' && event.key !== 'Enter')) return;
    openRun(Number(tr.dataset.runId));
  }

  function renderBackups(lists) {
    var container = $('backups');
    container.textContent = '';
    TABLES.forEach(function (table, i) {
      var section = document.createElement('section');
      section.className = 'backup-table';
      section.dataset.table = table;
      section.dataset.testid = 'backups-' + table;
      var list = lists[i];
      section.appendChild(cell('h3', table + (list.length ? ' (' + list.length + ')' : '')));
      if (!list.length) {
        section.appendChild(cell('p', 'No backup yet: POST /backup/' + table, 'caption'));
      } else {
        var wrap = document.createElement('div');
        wrap.className = 'table-wrap';
        var t = document.createElement('table');
        var body = document.createElement('tbody');
        list.slice(0, 10).forEach(function (backup) {
          var tr = document.createElement('tr');
          tr.dataset.testid = 'backup-row';
          tr.appendChild(cell('td', backup.file));
          tr.appendChild(cell('td', backup.rows === null ? '–' : number.format(backup.rows) + ' rows', 'num'));
          tr.appendChild(cell('td', formatSize(backup.bytes), 'num'));
          body.appendChild(tr);
        });
        t.appendChild(body);
        wrap.appendChild(t);
        section.appendChild(wrap);
      }
      container.appendChild(section);
    });
    container.dataset.state = 'ready';
  }

  function loadBackups() {
    return Promise.all(
      TABLES.map(function (table) {
        return fetchJson('/backup/' + table);
      }),
    )
      .then(renderBackups)
      .catch(function (error) {
        $('backups').textContent = 'The backups could not be loaded: ' + error.message;
        $('backups').dataset.state = 'error';
      });
  }

  function init() {
    $('year-select').addEventListener('change', function (event) {
      go(Number(event.target.value));
    });
    $('year-prev').addEventListener('click', function () {
      go(state.year - 1);
    });
    $('year-next').addEventListener('click', function () {
      go(state.year + 1);
    });
    $('year-form').addEventListener('submit', function (event) {
      event.preventDefault();
    });
    $('department-filter').addEventListener('change', function (event) {
      state.filter = event.target.value;
      renderTable();
    });
    $('table-quarters').tHead.addEventListener('click', onSort);
    $('csv-quarters').addEventListener('click', downloadCsv);
    $('csv-above').addEventListener('click', downloadCsv);
    $('key-form').addEventListener('submit', function (event) {
      event.preventDefault();
      window.sessionStorage.setItem(KEY_ITEM, $('read-key').value.trim());
      $('read-key').value = '';
      load(state.year);
    });
    window.addEventListener('popstate', function () {
      load(yearFromUrl());
    });
    window.addEventListener('resize', function () {
      Object.keys(charts).forEach(function (id) {
        charts[id].resize();
      });
    });
    $('table-runs').addEventListener('click', onRunPicked);
    $('table-runs').addEventListener('keydown', onRunPicked);
    load(yearFromUrl());
    loadRuns();
    loadBackups();
  }

  init();
})();
