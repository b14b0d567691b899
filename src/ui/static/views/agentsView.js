// The agents Ferry sees, with their attributes, the datasets each holds, how
// many tasks each runs and whether Mesos is draining it. Without GET
// /v1/agents on the server, the agents are pieced together from the datasets
// and tasks, and the page says so.

import { badge, dash, formatTime, h, list, table } from '../dom.js';

export function agentsView(state) {
  const rows = state.agents.map((a) => [
    h('span', {}, a.hostname || a.id, a.hostname ? h('br') : null, a.hostname ? h('small', { class: 'mono' }, a.id) : null),
    list(Object.entries(a.attributes ?? {}).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`)),
    typeof a.datasets === 'number' ? String(a.datasets) : list(a.datasets.map((name) => h('span', { class: 'mono' }, name))),
    typeof a.tasks === 'number' ? String(a.tasks) : String(a.tasks.length),
    condition(a),
    a.dataVia ?? dash(),
  ]);
  return h(
    'section',
    { 'aria-labelledby': 'agents-heading' },
    h('h2', { id: 'agents-heading' }, 'Agents'),
    state.agentsSource === 'derived'
      ? h('p', { class: 'note' }, 'This server does not list agents (GET /v1/agents): shown are the agents that hold a dataset or run a task.')
      : null,
    rows.length === 0
      ? h('p', {}, 'No agents known yet.')
      : table(`${rows.length} agent(s)`, ['Agent', 'Attributes', 'Datasets held', 'Tasks', 'Condition', 'Data via'], rows, { id: 'agents-table' }),
  );
}

function condition(a) {
  const parts = [];
  if (a.draining === true) parts.push(badge('draining', 'busy'));
  if (typeof a.unavailableFrom === 'string') parts.push(h('span', {}, `unavailable from ${new Date(a.unavailableFrom).toLocaleString(undefined, { hour12: false })}`));
  if (typeof a.lastOfferAt === 'string') parts.push(h('span', {}, `last offer ${formatTime(a.lastOfferAt)}`));
  else if (a.lastOfferAt === null) parts.push(h('span', {}, 'no offer seen'));
  return list(parts);
}
