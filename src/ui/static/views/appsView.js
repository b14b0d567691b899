// The apps: how many instances each wants and runs, why the others wait,
// its datasets and where they are, where its tasks run and how they reach
// their data; with scale, restart and move.

import { isLiveTask } from '../clusterState.js';
import { badge, dash, h, list, table } from '../dom.js';

export function appsView(state, actions) {
  const rows = state.apps.map((summary) => {
    const detail = state.details.get(summary.id) ?? { tasks: [], datasets: [], pending: [] };
    const wanted = Number(summary.instances ?? detail.app?.instances ?? 1);
    const live = (detail.tasks ?? []).filter(isLiveTask);
    const running = live.filter((t) => t.state === 'TASK_RUNNING');
    const starting = live.length - running.length;
    const healthy = running.filter((t) => t.healthy === true).length;
    const unhealthy = running.filter((t) => t.healthy === false).length;
    const via = [...new Set(live.map((t) => t.dataVia).filter(Boolean))];
    const movable = (detail.datasets ?? []).length > 0;
    return [
      h('span', { class: 'mono' }, summary.id),
      String(wanted),
      h(
        'span',
        {},
        badge(`${running.length}/${wanted}`, running.length === wanted ? 'good' : 'busy'),
        starting > 0 ? ` ${starting} starting` : null,
        healthy > 0 ? ` ${healthy} healthy` : null,
        unhealthy > 0 ? h('span', {}, ' ', badge(`${unhealthy} unhealthy`, 'bad')) : null,
      ),
      list((detail.pending ?? []).map((p) => `#${p.instance}: ${p.reason}`)),
      list((detail.datasets ?? []).map((d) => h('span', {}, h('span', { class: 'mono' }, d.name), ' ', badge(d.state), ` on ${state.agentName(d.agentId, d.hostname)}`))),
      list(live.map((t) => `#${t.instance} on ${state.agentName(t.agentId, t.hostname)}`)),
      via.length === 0 ? dash() : via.join(', '),
      h(
        'div',
        { class: 'row-actions' },
        h('button', { type: 'button', 'aria-label': `Scale ${summary.id}`, onclick: () => actions.scaleApp(summary.id) }, 'Scale…'),
        h('button', { type: 'button', 'aria-label': `Restart ${summary.id}`, onclick: () => actions.restartApp(summary.id) }, 'Restart…'),
        h(
          'button',
          {
            type: 'button',
            'aria-label': `Move ${summary.id}`,
            disabled: !movable,
            title: movable ? undefined : 'this app has no dataset to move',
            onclick: () => actions.moveApp(summary.id),
          },
          'Move…',
        ),
      ),
    ];
  });
  return h(
    'section',
    { 'aria-labelledby': 'apps-heading' },
    h('div', { class: 'section-head' }, h('h2', { id: 'apps-heading' }, 'Apps'), h('a', { href: '#/deploy', class: 'button-link' }, 'Deploy an app')),
    rows.length === 0
      ? h('p', {}, 'No apps yet. ', h('a', { href: '#/deploy' }, 'Deploy one from its JSON definition.'))
      : table(
          `${rows.length} app(s)`,
          ['App', 'Instances', 'Running', 'Pending', 'Datasets', 'Runs on', 'Data via', 'Actions'],
          rows,
          { id: 'apps-table' },
        ),
  );
}
