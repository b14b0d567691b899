// Building DOM nodes and formatting values for the views. Text always goes in
// as text nodes, never as HTML: app ids, messages and details come from the
// server and must not become markup.

/**
 * h('button', { class: 'x', onclick: fn, 'aria-label': 'y' }, 'text', child, [more])
 * Attributes: on* are listeners, `class`, boolean values toggle the attribute,
 * undefined/null/false are left out.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** A table with a caption and column headers; rows are arrays of cells (nodes or text). */
export function table(caption, headers, rows, attrs = {}) {
  return h(
    'table',
    attrs,
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((text) => h('th', { scope: 'col' }, text)))),
    h(
      'tbody',
      {},
      rows.map((cells) => h('tr', {}, cells.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', {}, cell))))),
    ),
  );
}

/** A dash for "nothing here" (a new node each time: a node can stand in one place only). */
export function dash() {
  return h('span', { class: 'none' }, '—');
}

/** A list, or a dash when there is nothing to list. */
export function list(items) {
  if (items.length === 0) return dash();
  return h('ul', { class: 'plain' }, items.map((item) => h('li', {}, item)));
}

/** A short state label; its class picks the color, its text says it all without color. */
export function badge(text, kind = badgeKind(text)) {
  return h('span', { class: `badge badge-${kind}` }, text);
}

function badgeKind(text) {
  const s = String(text).toUpperCase();
  if (/RUNNING|READY|SUCCEEDED|OK|HEALTHY|LEADER|LIVE/.test(s) && !/UN/.test(s)) return 'good';
  if (/FAILED|ERROR|LOST|GONE|DROPPED|UNHEALTHY|KILLED/.test(s)) return 'bad';
  if (/ROLLED_BACK|CANCELLED|SKIPPED|FINISHED/.test(s)) return 'muted';
  return 'busy';
}

export function formatDuration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatTime(iso) {
  if (typeof iso !== 'string') return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleTimeString(undefined, { hour12: false });
}

export function formatMiB(mib) {
  if (typeof mib !== 'number') return '—';
  return mib >= 1024 ? `${(mib / 1024).toFixed(1)} GiB` : `${mib} MiB`;
}

export function formatBytes(bytes) {
  if (typeof bytes !== 'number') return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function shortId(id) {
  return typeof id === 'string' && id.length > 12 ? id.slice(0, 8) : String(id ?? '—');
}
