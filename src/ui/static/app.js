// The Ferry UI's entry point: reads the cluster through the API, keeps it
// current from the event stream (or by polling), and shows one view at a time
// chosen by the URL's #fragment. Views are rebuilt from the state; a rebuilt
// view that looks the same as the shown one is not swapped in, so focus and
// selection survive the refreshes.

import { onAuthProblem, storedToken, storeToken } from './api.js';
import { Actions } from './actions.js';
import { ClusterState } from './clusterState.js';
import { h } from './dom.js';
import { LiveUpdates } from './liveUpdates.js';
import { agentsView } from './views/agentsView.js';
import { appsView } from './views/appsView.js';
import { datasetsView } from './views/datasetsView.js';
import { deployView } from './views/deployView.js';
import { movesView } from './views/movesView.js';
import { tasksView } from './views/tasksView.js';

const TITLES = { apps: 'Apps', tasks: 'Tasks', datasets: 'Datasets', agents: 'Agents', moves: 'Moves', deploy: 'Deploy' };
/** what each view is made of: until those are read once, the view says so instead of showing nothing */
const NEEDS = { apps: ['apps'], tasks: ['apps'], datasets: ['datasets'], agents: ['agents', 'apps', 'datasets'], moves: ['moves'], deploy: [] };
const EVENT_REFRESH_DELAY_MS = 150;

const $ = (id) => document.getElementById(id);
const main = $('main');
const state = new ClusterState();

function route() {
  const [name, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const view = name in TITLES ? name : 'apps';
  const id = rest.length > 0 && rest.join('/') !== '' ? decodeURIComponent(rest.join('/')) : undefined;
  return { view, id };
}

function navigate(hash, announcement) {
  if (announcement) announce(announcement);
  if (location.hash === hash) render();
  else location.hash = hash;
}

let announcedAt = 0;
function announce(text) {
  $('announcer').textContent = text;
  announcedAt = Date.now();
}

const actions = new Actions({ state, navigate, announce });
const deployNode = deployView(actions, navigate);

function viewNode({ view, id }) {
  const unread = NEEDS[view].filter((part) => !state.known.has(part));
  if (unread.length > 0) {
    return h(
      'section',
      { 'aria-labelledby': 'unread-heading' },
      h('h2', { id: 'unread-heading' }, TITLES[view]),
      h('p', {}, `Not read yet: ${unread.map((part) => state.errors[part]?.message ?? 'waiting for the server').join('; ')}`),
    );
  }
  switch (view) {
    case 'apps':
      return appsView(state, actions);
    case 'tasks':
      return tasksView(state);
    case 'datasets':
      return datasetsView(state, actions);
    case 'agents':
      return agentsView(state);
    case 'moves':
      return movesView(state, actions, id);
    case 'deploy':
      return deployNode;
    default:
      throw new Error(`no view ${view}`);
  }
}

/** Something to find the focused control again in a rebuilt view. */
function focusKey() {
  const el = document.activeElement;
  if (!(el instanceof HTMLElement) || !main.contains(el) || el === main) return undefined;
  return { tag: el.tagName, label: el.getAttribute('aria-label') ?? el.textContent, href: el.getAttribute('href') };
}

function restoreFocus(key) {
  if (key === undefined) return;
  for (const el of main.querySelectorAll(key.tag)) {
    if ((el.getAttribute('aria-label') ?? el.textContent) === key.label && el.getAttribute('href') === key.href) {
      el.focus();
      return;
    }
  }
}

function render({ moveFocus = false } = {}) {
  const current = route();
  document.title = `Ferry — ${TITLES[current.view]}`;
  for (const link of document.querySelectorAll('nav a[data-route]')) {
    if (link.dataset.route === current.view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  renderHeader();
  renderProblems();

  if (!state.loaded && current.view !== 'deploy') {
    if (main.querySelector('.loading') === null) main.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
    return;
  }
  const next = viewNode(current);
  const shown = main.firstElementChild;
  if (shown !== next && (shown === null || !shown.isEqualNode(next))) {
    const key = focusKey();
    main.replaceChildren(next);
    restoreFocus(key);
  }
  if (moveFocus) {
    const heading = current.view === 'moves' && current.id !== undefined ? $('move-heading') : main.querySelector('h2');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
  }
}

function renderHeader() {
  const { health, leader, version } = state.cluster;
  const parts = [];
  if (leader?.leader) parts.push(`Leader ${leader.leader}${leader.self ? ' (this instance)' : ''}`);
  else if (leader?.message) parts.push(`Leader: ${leader.message}`);
  if (health?.role) parts.push(`this instance: ${health.role}${health.status && health.status !== 'ok' ? ` (${health.status})` : ''}`);
  const v = version?.version ?? version?.ferry;
  if (typeof v === 'string') parts.push(`Ferry ${v}`);
  if (state.refreshedAt) parts.push(`read at ${state.refreshedAt.toLocaleTimeString(undefined, { hour12: false })}`);
  $('cluster-status').textContent = parts.length > 0 ? parts.join(' · ') : 'Reading the cluster…';
  $('token-status').hidden = storedToken() === '';
}

function renderProblems() {
  const labels = { apps: 'apps', datasets: 'datasets', moves: 'moves', agents: 'agents', cluster: 'the leader and health' };
  // a missing or refused token is explained where it is asked for
  const items = Object.entries(state.errors)
    .filter(([, error]) => error.status !== 401 && error.status !== 403)
    .map(([part, error]) => h('li', {}, `Could not read ${labels[part] ?? part}: ${error.message}`));
  const box = $('problems');
  const next = items.length === 0 ? [] : [h('ul', {}, items)];
  const probe = h('div', {}, next);
  if (probe.innerHTML !== box.innerHTML) box.replaceChildren(...next);
}

// ---- live updates

// one read shortly after the first of a burst of events; later events of the burst ride along (never postponed, so a steady flow cannot starve it)
let eventRefresh;
function refreshSoon() {
  if (eventRefresh !== undefined) return;
  eventRefresh = setTimeout(() => {
    eventRefresh = undefined;
    void state.refresh();
  }, EVENT_REFRESH_DELAY_MS);
}

const live = new LiveUpdates({
  refresh: () => void state.refresh(),
  onEvent: (type, data) => {
    // a move's own view arrives with the event: show it now; the rest is read again shortly
    if (type === 'move') state.applyMove(data);
    if (['app', 'dataset', 'task', 'move', 'leader', 'subscription', 'resync'].includes(type)) refreshSoon();
  },
  onMode: (mode, text) => {
    $('live-status').dataset.mode = mode;
    $('live-text').textContent = text;
  },
});

// ---- the token

onAuthProblem((status, message) => {
  const section = $('auth');
  $('auth-message').textContent =
    status === 401
      ? `The server answered 401: ${message}. Enter a token to continue.`
      : `The server refused this token (403): ${message}. Enter another token, or ask for one allowed to do this.`;
  if (section.hidden) {
    section.hidden = false;
    $('token').focus();
  }
});

$('auth-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('token');
  const token = input.value.trim();
  if (token === '') {
    input.setAttribute('aria-invalid', 'true');
    return;
  }
  input.removeAttribute('aria-invalid');
  storeToken(token);
  input.value = '';
  $('auth').hidden = true;
  announce('Token saved for this tab.');
  live.start();
  void state.refresh();
});

$('forget-token').addEventListener('click', () => {
  storeToken('');
  announce('The token is forgotten.');
  renderHeader();
  live.start();
});

// ---- start

state.subscribe(() => render());
window.addEventListener('hashchange', () => {
  // an announcement belongs to the page it was made on, or to the one an action led to
  if (Date.now() - announcedAt > 1000) $('announcer').textContent = '';
  render({ moveFocus: true });
});
render();
live.start();
