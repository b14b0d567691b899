// The operator's actions, each behind a confirmation dialog: move an app
// instance or a dataset (to a chosen agent or "any"), scale, restart, cancel a
// move, deploy an app definition. Each one asks the API, then refreshes the
// state and says what happened; the server decides whether it is allowed.

import { api, appPath } from './api.js';
import { field, openDialog } from './dialogs.js';
import { h } from './dom.js';

export class Actions {
  /** state: ClusterState; navigate(hash); announce(text) says a result in the status line */
  constructor({ state, navigate, announce }) {
    this.state = state;
    this.navigate = navigate;
    this.announce = announce;
  }

  async moveApp(appId) {
    const detail = this.state.details.get(appId);
    const instances = Number(detail?.app?.instances ?? 1);
    const holderOf = (instance) => detail?.datasets?.[instance]?.agentId;
    const instanceSelect = h(
      'select',
      { name: 'instance' },
      Array.from({ length: instances }, (_, i) => h('option', { value: String(i) }, `instance ${i} (on ${this.state.agentName(holderOf(i))})`)),
    );
    const target = this.targetSelect(instances === 1 ? holderOf(0) : undefined);
    const moved = await openDialog({
      title: `Move ${appId}`,
      description: 'Ferry stops the instance, moves its dataset to the destination and starts it there. The app is down while the last changes are copied.',
      content: [instances > 1 ? field('Instance', instanceSelect) : null, field('Destination agent', target, this.targetHint())],
      confirmLabel: 'Move',
      action: async (form) => {
        const body = { to: form.elements.namedItem('to').value };
        if (instances > 1) body.instance = Number(form.elements.namedItem('instance').value);
        return (await api.post(appPath(appId, 'move'), body)).body;
      },
    });
    if (moved !== undefined) this.moveStarted(moved, `${appId}`);
  }

  async moveDataset(name) {
    const dataset = this.state.datasets.find((d) => d.name === name);
    const target = this.targetSelect(dataset?.agentId);
    const moved = await openDialog({
      title: `Move dataset ${name}`,
      description: `It is now on ${this.state.agentName(dataset?.agentId)}. A task that uses it is stopped for the move and started again beside it.`,
      content: [field('Destination agent', target, this.targetHint())],
      confirmLabel: 'Move',
      action: async (form) => (await api.post(`/v1/datasets/${encodeURIComponent(name)}/move`, { to: form.elements.namedItem('to').value })).body,
    });
    if (moved !== undefined) this.moveStarted(moved, `dataset ${name}`);
  }

  moveStarted(answer, what) {
    this.announce(`Move of ${what} started (${answer.moveId}).`);
    if (answer.move) this.state.applyMove(answer.move);
    this.navigate(`#/moves/${encodeURIComponent(answer.moveId)}`);
    void this.state.refresh();
  }

  /** "any" and the agents Ferry knows; the one holding the data now cannot be chosen. */
  targetSelect(holder) {
    return h(
      'select',
      { name: 'to' },
      h('option', { value: 'any' }, 'any (Ferry chooses)'),
      this.state.agents.map((a) =>
        h('option', { value: a.id, disabled: a.id === holder }, `${a.hostname ?? a.id}${a.hostname ? ` (${a.id})` : ''}${a.id === holder ? ' — holds it now' : ''}`),
      ),
    );
  }

  targetHint() {
    return this.state.agentsSource === 'derived' ? 'Only agents that hold a dataset or run a task are listed (this server does not list agents).' : undefined;
  }

  async scaleApp(appId) {
    const detail = this.state.details.get(appId);
    const current = Number(detail?.app?.instances ?? 1);
    const input = h('input', { type: 'number', name: 'instances', min: '0', step: '1', value: String(current), required: true, inputmode: 'numeric' });
    const done = await openDialog({
      title: `Scale ${appId}`,
      description: `It has ${current} instance(s). Each instance keeps its own dataset; scaling down keeps the datasets of the instances it stops.`,
      content: [field('Instances', input)],
      confirmLabel: 'Scale',
      action: async (form) => {
        const text = form.elements.namedItem('instances').value.trim();
        const instances = Number(text);
        if (text === '' || !Number.isInteger(instances) || instances < 0) {
          throw Object.assign(new Error('instances must be an integer >= 0'), { field: 'instances' });
        }
        await api.post(appPath(appId, 'scale'), { instances });
        return instances;
      },
    });
    if (done !== undefined) {
      this.announce(`${appId} scaled to ${done} instance(s).`);
      void this.state.refresh();
    }
  }

  async restartApp(appId) {
    const done = await openDialog({
      title: `Restart ${appId}`,
      description: 'Every task of the app is replaced, each on the agent that holds its dataset.',
      confirmLabel: 'Restart',
      danger: true,
      action: async () => (await api.post(appPath(appId, 'restart'))).body,
    });
    if (done !== undefined) {
      this.announce(`${appId} is restarting.`);
      void this.state.refresh();
    }
  }

  async cancelMove(moveId) {
    const move = this.state.move(moveId);
    const done = await openDialog({
      title: `Cancel move ${moveId}`,
      description: `The move of ${move?.dataset ?? 'the dataset'} is rolled back: the data stays on ${this.state.agentName(move?.from)} and the app runs there again. A move past its switch step can no longer be cancelled.`,
      confirmLabel: 'Cancel the move',
      danger: true,
      action: async () => (await api.delete(`/v1/moves/${encodeURIComponent(moveId)}`)).body,
    });
    if (done !== undefined) {
      if (done.move) this.state.applyMove(done.move);
      this.announce(`Cancelling move ${moveId}.`);
      void this.state.refresh();
    }
  }

  /**
   * Creates the app, or replaces it when its id exists. Resolves { answer } or { error } (shown
   * beside the definition, where it can be corrected), or undefined when cancelled.
   */
  async deploy(definition) {
    const id = typeof definition.id === 'string' ? definition.id : undefined;
    const normalized = id === undefined ? undefined : `/${id.replace(/^\/+/, '')}`;
    const exists = normalized !== undefined && this.state.details.has(normalized);
    const instances = definition.instances ?? 1;
    return openDialog({
      title: exists ? `Update ${normalized}` : `Deploy ${normalized ?? 'a new app'}`,
      description: exists
        ? `The app's definition is replaced and its tasks are restarted with it, each beside its dataset.`
        : `Ferry creates the app with ${instances} instance(s), and a dataset for each when the definition asks for one.`,
      confirmLabel: exists ? 'Update' : 'Deploy',
      action: async () => {
        try {
          return { answer: (exists ? await api.put(appPath(normalized), definition) : await api.post('/v1/apps', definition)).body };
        } catch (error) {
          return { error };
        }
      },
    });
  }
}
