// Every dataset: its size and backend, its state, the agent that holds it,
// the app instance that owns it and whether it is in use; with move.

import { badge, dash, formatMiB, h, table } from '../dom.js';

export function datasetsView(state, actions) {
  const rows = state.datasets.map((d) => [
    h('span', { class: 'mono' }, d.name),
    formatMiB(d.sizeMiB),
    d.backend,
    badge(d.state),
    d.agentId === undefined ? dash() : state.agentName(d.agentId, d.hostname),
    d.owner === undefined ? dash() : h('span', {}, h('span', { class: 'mono' }, d.owner.appId), ` #${d.owner.instance}`),
    d.inUse ? 'yes' : 'no',
    d.reason ?? dash(),
    h(
      'button',
      {
        type: 'button',
        'aria-label': `Move dataset ${d.name}`,
        disabled: d.agentId === undefined,
        title: d.agentId === undefined ? 'it is not placed on any agent yet' : undefined,
        onclick: () => actions.moveDataset(d.name),
      },
      'Move…',
    ),
  ]);
  return h(
    'section',
    { 'aria-labelledby': 'datasets-heading' },
    h('h2', { id: 'datasets-heading' }, 'Datasets'),
    rows.length === 0
      ? h('p', {}, 'No datasets. An app whose definition asks for one gets it when it is deployed.')
      : table(`${rows.length} dataset(s)`, ['Dataset', 'Size', 'Backend', 'State', 'Agent', 'Owner', 'In use', 'Reason', 'Actions'], rows, { id: 'datasets-table' }),
  );
}
