// The dashboard's one page: no external assets, its style and script inline under the response's CSP nonce. The
// state arrives as JSON in the page and from GET api/state; the script renders it with textContent only, so every
// name, description, value and reason is shown as text, never as markup.
import type { DashboardState } from './dashboard-state.js';

/** JSON safe inside a <script> element: no `<`, and no line separators JavaScript reads as line ends. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function renderPage(state: DashboardState, nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(state.title)} · flagwise</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header>
  <h1>${escapeHtml(state.title)}</h1>
  <div id="source"></div>
</header>
<main>
  <section class="toolbar">
    <input id="filter" type="search" placeholder="Filter flags" aria-label="Filter flags" autocomplete="off">
    <button id="clear-all" type="button">Clear all overrides</button>
    <button id="copy-link" type="button">Copy override link</button>
    <span id="notice" role="status"></span>
  </section>
  <div id="flags" role="table" aria-label="Flags">
    <div class="row head" role="row"><div role="columnheader">Flag</div><div role="columnheader">Value</div><div role="columnheader">Reason</div><div role="columnheader">This browser</div></div>
    <div id="flag-rows" role="rowgroup"></div>
  </div>
  <aside>
    <section><h2>Context of this request</h2><dl id="context"></dl></section>
    <section><h2>Recent changes</h2><ol id="changes" hidden></ol><p id="no-changes" class="muted">none since the app started</p></section>
    <section id="refusals-section" hidden><h2>Refused overrides</h2><ul id="refusals"></ul></section>
    <section id="outcomes-section" hidden><h2>Requests by flag and variant</h2>
      <table id="outcomes"><thead><tr><th>Flag</th><th>Variant</th><th>Requests</th><th>Errors</th><th>p50</th><th>p95</th></tr></thead><tbody></tbody></table>
      <p class="muted">since the app started; errors: threw or answered 5xx</p>
    </section>
  </aside>
</main>
<script type="application/json" id="initial-state">${scriptJson(state)}</script>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>`;
}

const STYLE = `
:root { color-scheme: light dark; --line: #8884; --muted: #888; --on: #1a7f37; --off: #b42318; --forced: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
header { display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; padding: .8rem 1.2rem; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.2rem; margin: 0; }
h2 { font-size: .95rem; margin: 0 0 .4rem; }
main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(16rem, 1fr); gap: 1.2rem; padding: 1rem 1.2rem; }
/* Narrower than its rows' least widths, the table scrolls in its own column rather than run under the side panel. */
#flags { min-width: 0; overflow-x: auto; }
.toolbar { grid-column: 1 / -1; display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
#filter { flex: 1; min-width: 12rem; padding: .4rem .6rem; font: inherit; }
button, select { font: inherit; padding: .25rem .5rem; }
/* A select is as wide as its longest option: a long variant name must not push it out of its column. */
select { max-width: 100%; }
/* Rows off screen skip layout and paint, so filtering thousands of flags stays quick. */
.row { display: grid; grid-template-columns: minmax(10rem, 2fr) minmax(5rem, 1fr) minmax(10rem, 2fr) minmax(8rem, 1fr); border-bottom: 1px solid var(--line); content-visibility: auto; contain-intrinsic-size: auto 4.5rem; }
.row > div { padding: .45rem .5rem; min-width: 0; overflow-wrap: anywhere; }
.row.head { font-weight: 600; content-visibility: visible; }
.row[hidden] { display: none; }
.name { font-family: ui-monospace, monospace; font-weight: 600; }
.description, .detail, .muted, time { color: var(--muted); font-size: .9em; }
.value-on { color: var(--on); font-weight: 600; }
.value-off { color: var(--off); font-weight: 600; }
.forced { color: var(--forced); font-weight: 600; }
.status { padding: .05rem .45rem; border-radius: .6rem; border: 1px solid currentColor; font-size: .85em; }
.status-ready { color: var(--on); } .status-stale, .status-starting { color: var(--forced); } .status-failed { color: var(--off); }
.error { color: var(--off); font-family: ui-monospace, monospace; white-space: pre-wrap; }
dl { display: grid; grid-template-columns: auto 1fr; gap: .15rem .6rem; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; font-family: ui-monospace, monospace; word-break: break-all; }
ol { padding-left: 1.1rem; margin: 0; } li { margin-bottom: .4rem; } p { margin: 0; }
button.why { margin-top: .2rem; font-size: .85em; padding: .1rem .4rem; }
ul.trace { margin: .3rem 0 0; padding-left: 0; list-style: none; font-size: .9em; }
ul.trace .depth-1 { padding-left: 1.2rem; } ul.trace .depth-2 { padding-left: 2.4rem; }
.held { color: var(--on); } .failed { color: var(--off); } .either { color: var(--forced); }
aside section { margin-bottom: 1.2rem; }
#outcomes { border-collapse: collapse; font-variant-numeric: tabular-nums; }
#outcomes th, #outcomes td { padding: .15rem .5rem; border-bottom: 1px solid var(--line); text-align: right; }
#outcomes th:nth-child(-n+2), #outcomes td:nth-child(-n+2) { text-align: left; }
/* The figures scroll in their own box rather than widen the side panel. */
#outcomes-section { overflow-x: auto; }
/* Below the width where the table's columns and the side panel fit side by side, the panel goes under the table. */
@media (max-width: 960px) { main { grid-template-columns: 1fr; } }
`;

// Plain ES2020 in the browser: no build step, no dependency.
const SCRIPT = `
(() => {
  'use strict';
  const base = location.pathname.replace(/\\/?$/, '/');
  let state = JSON.parse(document.getElementById('initial-state').textContent);
  const tbody = document.getElementById('flag-rows');
  const filter = document.getElementById('filter');
  const notice = document.getElementById('notice');
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === 'text') node.textContent = value;
      else if (key === 'class') node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child != null) node.append(child);
    return node;
  };
  const say = (text) => { notice.textContent = text; };

  function renderSource() {
    const { source } = state;
    const box = document.getElementById('source');
    box.replaceChildren(el('span', {},
      el('span', { class: 'muted', text: source.name + ' ' }),
      el('span', { class: 'status status-' + source.status, text: source.status, 'data-status': source.status }),
      el('span', { class: 'muted', text: ' updated ' }),
      el('time', { datetime: source.updatedAt, text: new Date(source.updatedAt).toLocaleTimeString() }),
      source.lastError ? el('div', { class: 'error', text: source.lastError }) : null,
    ));
    if (!state.overridesEnabled) say('Forcing is off: createFlags({ overrides: { secret, allow } }) turns it on.');
  }

  function valueCell(flag) {
    const cell = el('div', { role: 'cell' }, el('span', { class: flag.enabled ? 'value-on' : 'value-off', text: flag.enabled ? 'on' : 'off' }));
    if (flag.variant) cell.append(el('div', { text: 'variant ' + flag.variant }));
    if (flag.payload) cell.append(el('div', { class: 'muted', text: flag.payload.type + ': ' + flag.payload.value }));
    return cell;
  }

  function reasonCell(flag) {
    const cell = el('div', { role: 'cell' }, el('span', { class: flag.reason === 'override' ? 'forced' : '', text: flag.reason }));
    if (flag.detail) cell.append(el('div', { class: 'detail', text: flag.detail }));
    const why = el('button', { type: 'button', class: 'why', text: 'why?' });
    why.addEventListener('click', () => showTrace(flag.name, cell, why));
    cell.append(why);
    return cell;
  }

  function overrideCell(flag) {
    const select = el('select', { 'aria-label': 'Force ' + flag.name, 'data-force': flag.name });
    const options = [['default', 'as defined'], ['on', 'force on'], ['off', 'force off'], ...flag.variants.map((v) => [v, 'variant ' + v])];
    for (const [value, label] of options) select.append(el('option', { value, text: label }));
    select.value = flag.override || 'default';
    select.disabled = !state.overridesEnabled;
    select.addEventListener('change', () => post({ flag: flag.name, value: select.value }));
    const cell = el('div', { role: 'cell' }, select);
    if (flag.override) {
      cell.append(el('div', { class: 'forced', text: 'forced ' + flag.override }));
      const clear = el('button', { type: 'button', 'data-clear': flag.name, text: 'clear' });
      clear.addEventListener('click', () => post({ flag: flag.name, value: 'default' }));
      cell.append(clear);
    }
    return cell;
  }

  function renderFlags() {
    const rows = state.flags.map((flag) => {
      const head = el('div', { role: 'cell' }, el('div', { class: 'name', text: flag.name }));
      if (flag.description) head.append(el('div', { class: 'description', text: flag.description }));
      const row = el('div', { class: 'row', role: 'row', 'data-flag': flag.name }, head, valueCell(flag), reasonCell(flag), overrideCell(flag));
      row.dataset.search = (flag.name + ' ' + (flag.description || '')).toLowerCase();
      return row;
    });
    tbody.replaceChildren(...rows);
    applyFilter();
  }

  function applyFilter() {
    const words = filter.value.trim().toLowerCase().split(/\\s+/).filter(Boolean);
    for (const row of tbody.children) row.hidden = !words.every((word) => row.dataset.search.includes(word));
  }

  function renderContext() {
    const list = document.getElementById('context');
    const { properties, ...fields } = state.context;
    const entries = [...Object.entries(fields), ...Object.entries(properties || {}).map(([k, v]) => ['properties.' + k, v])];
    list.replaceChildren(...entries.flatMap(([key, value]) => [el('dt', { text: key }), el('dd', { text: String(value) })]));
    if (entries.length === 0) list.append(el('dd', { class: 'muted', text: 'empty' }));
  }

  function renderChanges() {
    const list = document.getElementById('changes');
    list.replaceChildren(...state.changes.map((change) => el('li', { 'data-change': change.flag },
      el('time', { datetime: change.at, text: new Date(change.at).toLocaleTimeString() + ' ' }),
      el('span', { class: 'name', text: change.flag }),
      el('span', { class: 'muted', text: ' ' + change.kind }),
      el('ul', {}, ...change.changes.map((field) => el('li', { text: field.text }))),
    )));
    list.hidden = state.changes.length === 0;
    document.getElementById('no-changes').hidden = !list.hidden;
  }

  function renderOutcomes() {
    const section = document.getElementById('outcomes-section');
    section.hidden = !state.outcomes;
    if (!state.outcomes) return;
    const ms = (value) => (value < 10 ? value.toFixed(1) : Math.round(value)) + ' ms';
    section.querySelector('tbody').replaceChildren(...state.outcomes.map((row) => el('tr', { 'data-outcome': row.flag + ':' + row.variant },
      el('td', { class: 'name', text: row.flag }),
      el('td', { text: row.variant }),
      el('td', { text: String(row.requests) }),
      el('td', { text: (row.errorRate * 100).toFixed(1) + ' %' }),
      el('td', { text: ms(row.p50Ms) }),
      el('td', { text: ms(row.p95Ms) }),
    )));
  }

  function renderRefusals() {
    const refused = state.refusedOverrides || [];
    document.getElementById('refusals-section').hidden = refused.length === 0;
    document.getElementById('refusals').replaceChildren(...refused.map((refusal) => el('li', { 'data-refused': refusal.entry },
      el('time', { datetime: refusal.at, text: new Date(refusal.at).toLocaleTimeString() + ' ' }),
      el('span', { class: 'name', text: refusal.entry }),
      el('div', { class: 'detail', text: refusal.reason }),
    )));
  }

  function render() { renderSource(); renderFlags(); renderContext(); renderChanges(); renderRefusals(); renderOutcomes(); }

  async function showTrace(name, cell, button) {
    button.disabled = true;
    const res = await fetch(base + 'api/trace?flag=' + encodeURIComponent(name), { credentials: 'same-origin' });
    const trace = await res.json();
    const list = el('ul', { class: 'trace' });
    for (const line of trace.lines || []) {
      const held = line.held === true ? 'held' : line.held === false ? 'failed' : 'either';
      const mark = line.held === true ? '✓ ' : line.held === false ? '✗ ' : '~ ';
      list.append(el('li', { class: held + ' depth-' + Math.min(line.depth, 2), text: mark + line.text + (line.decided ? ' ← decided' : '') }));
    }
    if (!list.childElementCount) list.append(el('li', { class: 'muted', text: trace.detail || trace.reason || 'nothing to trace' }));
    cell.append(list);
  }

  async function post(body) {
    const res = await fetch(base + 'api/overrides', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-flagwise-csrf': state.csrfToken },
      body: JSON.stringify(body),
    });
    const answer = await res.json();
    if (!res.ok) { say(answer.error || 'refused'); return; }
    state = answer;
    say(body.clear ? 'Overrides cleared.' : body.value === 'default' ? body.flag + ': override cleared.' : body.flag + ': forced ' + body.value + '.');
    render();
  }

  async function refresh() {
    const res = await fetch(base + 'api/state', { credentials: 'same-origin' });
    if (res.ok) { state = await res.json(); render(); }
  }

  filter.addEventListener('input', applyFilter);
  document.getElementById('clear-all').addEventListener('click', () => post({ clear: true }));
  document.getElementById('copy-link').addEventListener('click', async () => {
    const link = location.origin + '/' + (state.overrideQuery ? '?' + state.overrideQuery : '?flagwise=clear');
    try { await navigator.clipboard.writeText(link); say('Copied: ' + link); } catch { say(link); }
  });

  let version = state.version;
  const events = new EventSource(base + 'api/events');
  events.addEventListener('version', (event) => {
    const next = Number(event.data);
    if (next !== version) { version = next; refresh(); }
  });

  render();
})();
`;
