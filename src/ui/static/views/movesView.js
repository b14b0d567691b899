// The moves, newest first, with their state and current step; for one move
// its timeline: each step with when it started, how long it took, its outcome
// and detail, and the copy rounds. A running move can be cancelled.

import { badge, dash, formatBytes, formatDuration, formatTime, h, table } from '../dom.js';

const STATE_KIND = { RUNNING: 'busy', SUCCEEDED: 'good', FAILED: 'bad', ROLLED_BACK: 'muted', CANCELLED: 'muted' };

export function movesView(state, actions, selectedId) {
  const rows = state.moves.map((m) => [
    h('a', { href: `#/moves/${encodeURIComponent(m.id)}`, class: 'mono', 'aria-current': m.id === selectedId ? 'true' : undefined, title: m.id }, m.id.slice(0, 8)),
    h('span', { class: 'mono' }, m.dataset),
    m.appId === undefined ? dash() : h('span', {}, h('span', { class: 'mono' }, m.appId), m.instance !== undefined ? ` #${m.instance}` : null),
    m.trigger,
    `${state.agentName(m.from)} → ${state.agentName(m.to)}`,
    badge(m.state, STATE_KIND[m.state]),
    m.step,
    formatTime(m.createdAt),
    formatDuration(m.durationMs ?? (m.state === 'RUNNING' ? Date.now() - Date.parse(m.createdAt) : undefined)),
    m.state === 'RUNNING'
      ? h('button', { type: 'button', class: 'danger', 'aria-label': `Cancel move ${m.id}`, onclick: () => actions.cancelMove(m.id) }, 'Cancel…')
      : dash(),
  ]);
  const selected = selectedId === undefined ? undefined : state.move(selectedId);
  return h(
    'div',
    {},
    h(
      'section',
      { 'aria-labelledby': 'moves-heading' },
      h('h2', { id: 'moves-heading' }, 'Moves'),
      rows.length === 0
        ? h('p', {}, 'No moves yet. Move an app from the Apps page, or a dataset from the Datasets page.')
        : table(`${rows.length} move(s), newest first`, ['Move', 'Dataset', 'App', 'Trigger', 'From → To', 'State', 'Step', 'Started', 'Took', 'Actions'], rows, { id: 'moves-table' }),
    ),
    selectedId === undefined ? null : selected === undefined ? h('p', { role: 'status' }, `Move ${selectedId} is not known (yet).`) : moveDetail(state, actions, selected),
  );
}

function moveDetail(state, actions, m) {
  const now = Date.now();
  const stepMs = (s) => s.durationMs ?? (s.endedAt === undefined ? now - Date.parse(s.startedAt) : Date.parse(s.endedAt) - Date.parse(s.startedAt));
  const total = Math.max(1, m.steps.reduce((sum, s) => sum + Math.max(0, stepMs(s)), 0));
  const facts = [
    ['Dataset', h('span', { class: 'mono' }, m.dataset)],
    ['App', m.appId === undefined ? '—' : `${m.appId}${m.instance !== undefined ? ` #${m.instance}` : ''}`],
    ['Backend', `${m.backend}${m.kind ? ` (${m.kind})` : ''}`],
    ['Trigger', m.trigger],
    ['From', agentWithId(state, m.from)],
    ['To', agentWithId(state, m.to)],
    ['State', h('span', { id: 'move-state' }, badge(m.state, STATE_KIND[m.state]))],
    ['Step', m.step],
    ['Started', formatTime(m.createdAt)],
    ['Took', m.durationMs === undefined ? 'still running' : formatDuration(m.durationMs)],
  ];
  const down = downtime(m.steps);
  if (down !== undefined) facts.push(['App stopped for', `${formatDuration(down)} (from STOP_TASK to the end of LAUNCH)`]);
  if (m.error) facts.push(['Error', h('span', { class: 'error-text' }, m.error)]);
  return h(
    'section',
    { 'aria-labelledby': 'move-heading', class: 'move-detail', 'data-move-state': m.state },
    h(
      'div',
      { class: 'section-head' },
      h('h2', { id: 'move-heading' }, `Move ${m.id}`),
      m.state === 'RUNNING' ? h('button', { type: 'button', class: 'danger', onclick: () => actions.cancelMove(m.id) }, 'Cancel this move…') : null,
    ),
    h('dl', { class: 'facts' }, facts.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
    h('h3', { id: 'timeline-heading' }, 'Timeline'),
    h(
      'ol',
      { class: 'timeline', 'aria-labelledby': 'timeline-heading' },
      m.steps.map((s) => {
        const ms = stepMs(s);
        const running = s.endedAt === undefined;
        const bar = h('span', { class: `bar bar-${running ? 'running' : s.outcome ?? 'ok'}`, 'aria-hidden': 'true' });
        bar.style.setProperty('--share', `${Math.max(0.5, (Math.max(0, ms) / total) * 100).toFixed(2)}%`);
        return h(
          'li',
          { class: running ? 'step step-running' : 'step' },
          h('span', { class: 'step-name' }, s.step),
          h('span', { class: 'step-outcome' }, running ? badge('running', 'busy') : badge(s.outcome ?? 'ok')),
          h('span', { class: 'step-duration' }, running ? `${formatDuration(ms)} so far` : formatDuration(ms)),
          h('span', { class: 'step-bar' }, bar),
          h('span', { class: 'step-detail' }, s.detail ?? '', h('small', {}, ` started ${formatTime(s.startedAt)}`)),
        );
      }),
    ),
    m.rounds?.length > 0
      ? table(
          'Copy rounds',
          ['Round', 'Final', 'Sent', 'Files changed', 'Took'],
          m.rounds.map((r) => [String(r.round), r.final ? 'yes' : 'no', formatBytes(r.bytesSent), String(r.filesChanged), formatDuration(r.ms)]),
          { class: 'rounds' },
        )
      : null,
  );
}

function agentWithId(state, agentId) {
  const name = state.agentName(agentId);
  return name === agentId ? agentId : `${name} — ${agentId}`;
}

/** From the kill of the old task to the new task's launch: the time the app was not running. */
function downtime(steps) {
  const stop = steps.find((s) => s.step === 'STOP_TASK');
  const launch = steps.find((s) => s.step === 'LAUNCH');
  if (stop === undefined || launch?.endedAt === undefined) return undefined;
  return Date.parse(launch.endedAt) - Date.parse(stop.startedAt);
}
