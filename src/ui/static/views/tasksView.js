// Every task of every app: where it runs, its last state as Mesos reported
// it, its health, and how it reaches its dataset.

import { isLiveTask } from '../clusterState.js';
import { badge, dash, formatTime, h, table } from '../dom.js';

export function tasksView(state) {
  const tasks = state.tasks().sort((a, b) => a.appId.localeCompare(b.appId) || a.instance - b.instance || Number(isLiveTask(b)) - Number(isLiveTask(a)));
  const rows = tasks.map((t) => [
    h('span', { class: 'mono' }, t.id),
    h('span', { class: 'mono' }, t.appId),
    String(t.instance),
    state.agentName(t.agentId, t.hostname),
    badge(t.state.replace(/^TASK_/, '')),
    t.healthy === undefined ? dash() : badge(t.healthy ? 'healthy' : 'unhealthy'),
    t.dataVia ?? dash(),
    t.dataset === undefined ? dash() : h('span', { class: 'mono' }, t.dataset),
    formatTime(t.updatedAt ?? t.launchedAt),
    t.message ?? dash(),
  ]);
  return h(
    'section',
    { 'aria-labelledby': 'tasks-heading' },
    h('h2', { id: 'tasks-heading' }, 'Tasks'),
    rows.length === 0
      ? h('p', {}, 'No tasks.')
      : table(`${rows.length} task(s), live ones first within each instance`, ['Task', 'App', 'Instance', 'Agent', 'State', 'Health', 'Data via', 'Dataset', 'Updated', 'Message'], rows, { id: 'tasks-table' }),
  );
}
