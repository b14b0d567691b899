// What the UI knows about the cluster: apps (with each app's tasks, datasets
// and pending reasons), datasets, moves, agents, and who leads. It reads them
// from the API and tells its listeners when they changed. Reads only: actions
// go through api.js and then ask for a refresh.

import { api, appPath, ApiError, describeError } from './api.js';

const DETAIL_CONCURRENCY = 6;

export class ClusterState {
  constructor() {
    this.apps = [];
    /** app id → { app, tasks, datasets, pending } */
    this.details = new Map();
    this.datasets = [];
    this.moves = [];
    this.agents = [];
    /** 'api' when GET /v1/agents answered, 'derived' when agents were pieced together from tasks and datasets */
    this.agentsSource = 'api';
    this.cluster = { health: undefined, leader: undefined, version: undefined };
    /** part → { message, status }, for what could not be read at the last try */
    this.errors = {};
    /** the parts read at least once */
    this.known = new Set();
    this.loaded = false;
    this.refreshedAt = undefined;
    this.listeners = new Set();
    this.inFlight = undefined;
    this.again = false;
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify() {
    for (const listener of this.listeners) listener(this);
  }

  /** Reads everything again; calls made while one runs are folded into one more read after it. */
  refresh() {
    if (this.inFlight !== undefined) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.readAll().finally(() => {
      this.inFlight = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.inFlight;
  }

  async readAll() {
    await Promise.all([this.readApps(), this.readDatasets(), this.readMoves(), this.readAgentsList(), this.readCluster()]);
    if (this.agentsSource === 'derived' && this.known.has('apps') && this.known.has('datasets')) this.agents = this.derivedAgents();
    this.loaded = true;
    this.refreshedAt = new Date();
    this.notify();
  }

  async part(name, read) {
    try {
      await read();
      delete this.errors[name];
      this.known.add(name);
    } catch (err) {
      this.errors[name] = { message: describeError(err), status: err instanceof ApiError ? err.status : undefined };
    }
  }

  readApps() {
    return this.part('apps', async () => {
      const { body } = await api.get('/v1/apps');
      const apps = body.apps ?? [];
      const details = new Map();
      let next = 0;
      const worker = async () => {
        while (next < apps.length) {
          const app = apps[next++];
          try {
            details.set(app.id, (await api.get(appPath(app.id))).body);
          } catch (err) {
            // deleted between the list and this read: it is simply gone
            if (!(err instanceof ApiError && err.status === 404)) throw err;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(DETAIL_CONCURRENCY, apps.length) }, worker));
      this.apps = apps.filter((a) => details.has(a.id));
      this.details = details;
    });
  }

  readDatasets() {
    return this.part('datasets', async () => {
      this.datasets = (await api.get('/v1/datasets')).body.datasets ?? [];
    });
  }

  readMoves() {
    return this.part('moves', async () => {
      this.moves = (await api.get('/v1/moves')).body.moves ?? [];
    });
  }

  readAgentsList() {
    return this.part('agents', async () => {
      try {
        const agents = (await api.get('/v1/agents')).body.agents ?? [];
        this.agents = agents.map((a) => ({ ...a, datasets: names(a.datasets), tasks: names(a.tasks) }));
        this.agentsSource = 'api';
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
        this.agentsSource = 'derived';
      }
    });
  }

  readCluster() {
    return this.part('cluster', async () => {
      const settle = (p) => p.then((r) => r.body, (err) => ({ status: err.status, message: describeError(err) }));
      const [health, leader, version] = await Promise.all([settle(api.get('/v1/health')), settle(api.get('/v1/leader')), settle(api.get('/v1/version'))]);
      this.cluster = { health, leader, version };
    });
  }

  /** Without GET /v1/agents: the agents that hold a dataset or run a task, as far as those say. */
  derivedAgents() {
    const byId = new Map();
    const agent = (id, hostname) => {
      if (!byId.has(id)) byId.set(id, { id, hostname, attributes: {}, datasets: [], tasks: [] });
      const a = byId.get(id);
      if (a.hostname === undefined && hostname !== undefined) a.hostname = hostname;
      return a;
    };
    for (const d of this.datasets) if (d.agentId) agent(d.agentId, d.hostname).datasets.push(d.name);
    for (const t of this.tasks()) if (t.agentId && isLiveTask(t)) agent(t.agentId, t.hostname).tasks.push(t.id);
    return [...byId.values()].sort((a, b) => String(a.hostname ?? a.id).localeCompare(String(b.hostname ?? b.id)));
  }

  /** Every task of every app, with its app id. */
  tasks() {
    const out = [];
    for (const [appId, detail] of this.details) for (const task of detail.tasks ?? []) out.push({ appId, ...task });
    return out;
  }

  /**
   * How to call an agent: its hostname, with a short form of its id when other
   * agents share the hostname (several agents on one machine, as in local mode).
   */
  agentName(agentId, hostname) {
    if (agentId === undefined || agentId === null) return hostname ?? '—';
    const name = hostname ?? this.agents.find((a) => a.id === agentId)?.hostname;
    if (name === undefined) return agentId;
    // a pieced-together list may miss the agents that share the name: then always tell them apart
    const shared = this.agentsSource === 'derived' || this.agents.some((a) => a.id !== agentId && a.hostname === name);
    return shared ? `${name} (${shortAgentId(agentId)})` : name;
  }

  move(id) {
    return this.moves.find((m) => m.id === id);
  }

  /** A move as the event stream sent it: shown at once, before the next full read. */
  applyMove(data) {
    if (data === null || typeof data !== 'object' || typeof data.id !== 'string') return;
    const at = this.moves.findIndex((m) => m.id === data.id);
    if (data.deleted === true) {
      if (at !== -1) this.moves.splice(at, 1);
    } else if (Array.isArray(data.steps)) {
      if (at === -1) this.moves.unshift(data);
      else this.moves[at] = data;
    } else {
      return;
    }
    this.notify();
  }
}

export function isLiveTask(task) {
  return ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE'].includes(task.state);
}

/** Datasets or tasks of an agent as names when the server lists names or objects; a count stays a count. */
function names(value) {
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item : item?.name ?? item?.id ?? JSON.stringify(item)));
  if (typeof value === 'number') return value;
  return [];
}

/** Mesos agent ids end in "-S<n>" after the master's id: that tail tells agents apart. */
export function shortAgentId(agentId) {
  const tail = /-(S\d+)$/.exec(agentId);
  return tail ? tail[1] : agentId.slice(0, 8);
}
