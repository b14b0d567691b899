// The leader's picture of everything: durable records (apps, datasets, tasks,
// framework id) plus what it learned in memory (agents from offers, relaunch
// backoff, pending reasons). Decisions read it; only applyWrites/applyNotes
// change it, so the indexes stay true. It performs no I/O.

import type { AppSpec } from '../apps/appSpec.js';
import { marathonAttributeText } from '../apps/constraints/marathonAttributeText.js';
import type { Offer } from '../mesos/types.js';
import type { MoveRecord } from '../moves/moveModel.js';
import type { AppRecord, DataVia, DatasetRecord, FrameworkRecord, StateSnapshot, TaskRecord } from '../state/model.js';
import { isTerminalTaskState } from '../mesos/types.js';
import { holdsDataset } from './liveness.js';
import type { MemoryNote, RecordWrite } from './plan.js';

export interface AgentView {
  id: string;
  hostname: string;
  /** attributes as text, the way Marathon constraints read them */
  attributes: Record<string, string>;
  /** how tasks on this agent reach their data, once known (learned or configured) */
  dataVia?: DataVia;
  dataViaReason?: string;
  lastOfferAt?: number;
  /** epoch ms from which Mesos maintenance makes it unavailable (offers' unavailability, inverse offers) */
  unavailableFrom?: number;
  /** Mesos is draining it (its tasks were killed with REASON_AGENT_DRAINING) */
  draining?: boolean;
}

export interface AppEntry {
  record: AppRecord;
  spec: AppSpec;
}

/** How an operation (node or backend) ended, or that it is still alive. */
export type OpResult =
  | { opId: string; ok: true; result: unknown; ms: number }
  | { opId: string; ok: false; code: string; message: string; ms: number }
  | { opId: string; progress: string };

export interface Backoff {
  failures: number;
  /** epoch ms before which the instance is not relaunched */
  notBefore: number;
}

export function instanceKey(appId: string, instance: number): string {
  return `${appId}#${instance}`;
}

export function parseInstanceKey(key: string): { appId: string; instance: number } {
  const at = key.lastIndexOf('#');
  return { appId: key.slice(0, at), instance: Number(key.slice(at + 1)) };
}

export class World {
  framework: FrameworkRecord | undefined;
  readonly apps = new Map<string, AppEntry>();
  readonly datasets = new Map<string, DatasetRecord>();
  readonly tasks = new Map<string, TaskRecord>();
  readonly moves = new Map<string, MoveRecord>();
  readonly agents = new Map<string, AgentView>();
  /** results of node and backend operations, by opId, until the move that asked consumes them */
  readonly opResults = new Map<string, OpResult>();
  readonly backoffs = new Map<string, Backoff>();
  readonly pending = new Map<string, string>();
  /** when a KILL was last sent per task, so kills are retried but not flooded */
  readonly killsSent = new Map<string, number>();
  private readonly byInstance = new Map<string, Set<string>>();
  private readonly byDataset = new Map<string, Set<string>>();

  constructor(private readonly specOf: (record: AppRecord) => AppSpec) {}

  /** Builds the world from a durable snapshot; app definitions are re-parsed by the caller's parser. */
  static fromSnapshot(snapshot: StateSnapshot, specOf: (record: AppRecord) => AppSpec): World {
    const w = new World(specOf);
    w.framework = snapshot.framework;
    for (const app of snapshot.apps.values()) w.apps.set(app.id, { record: app, spec: specOf(app) });
    for (const d of snapshot.datasets.values()) w.datasets.set(d.name, d);
    for (const t of snapshot.tasks.values()) w.putTask(t);
    for (const m of snapshot.moves.values()) w.moves.set(m.id, m);
    return w;
  }

  // ---- reads -------------------------------------------------------------------

  tasksOfInstance(appId: string, instance: number): TaskRecord[] {
    const ids = this.byInstance.get(instanceKey(appId, instance));
    return ids ? [...ids].map((id) => this.tasks.get(id)!).filter(Boolean) : [];
  }

  /** Tasks that may still touch the dataset (invariant 1: at most one, ever). */
  liveTasksOfDataset(name: string): TaskRecord[] {
    const ids = this.byDataset.get(name);
    if (!ids) return [];
    const out: TaskRecord[] = [];
    for (const id of ids) {
      const t = this.tasks.get(id);
      if (t && holdsDataset(t)) out.push(t);
    }
    return out;
  }

  tasksOfApp(appId: string): TaskRecord[] {
    const out: TaskRecord[] = [];
    for (const t of this.tasks.values()) if (t.appId === appId) out.push(t);
    return out;
  }

  /** The running move of a dataset, if any (at most one at a time). */
  activeMoveOf(dataset: string): MoveRecord | undefined {
    for (const m of this.moves.values()) if (m.dataset === dataset && m.state === 'RUNNING') return m;
    return undefined;
  }

  /** The node executor task on an agent, if one is live. */
  nodeTaskOn(agentId: string): TaskRecord | undefined {
    for (const t of this.tasks.values()) if (t.kind === 'node' && t.agentId === agentId && !isTerminalTaskState(t.state)) return t;
    return undefined;
  }

  // ---- memory learned from offers ---------------------------------------------------

  observeOffer(offer: Offer, now: number): AgentView {
    const id = offer.agent_id.value;
    let agent = this.agents.get(id);
    if (!agent) {
      agent = { id, hostname: offer.hostname, attributes: marathonAttributeText(offer.attributes) };
      this.agents.set(id, agent);
    } else {
      agent.hostname = offer.hostname;
      agent.attributes = marathonAttributeText(offer.attributes);
    }
    agent.lastOfferAt = now;
    const start = offer.unavailability?.start.nanoseconds;
    if (start !== undefined) agent.unavailableFrom = Math.floor(start / 1e6);
    else delete agent.unavailableFrom;
    agent.draining = false;
    return agent;
  }

  // ---- changes ------------------------------------------------------------------

  applyWrites(writes: RecordWrite[]): void {
    for (const w of writes) {
      switch (w.kind) {
        case 'framework':
          this.framework = w.record;
          break;
        case 'app':
          this.apps.set(w.record.id, { record: w.record, spec: this.specOf(w.record) });
          break;
        case 'dataset':
          this.datasets.set(w.record.name, w.record);
          break;
        case 'task':
          this.putTask(w.record);
          break;
        case 'deleteApp':
          this.apps.delete(w.id);
          break;
        case 'deleteDataset':
          this.datasets.delete(w.name);
          break;
        case 'deleteTask':
          this.removeTask(w.taskId);
          break;
        case 'move':
          this.moves.set(w.record.id, w.record);
          break;
        default: {
          const never: never = w;
          throw new Error(`unknown write ${JSON.stringify(never)}`);
        }
      }
    }
  }

  applyNotes(notes: MemoryNote[]): void {
    for (const n of notes) {
      switch (n.kind) {
        case 'backoff':
          this.backoffs.set(n.instanceKey, { failures: n.failures, notBefore: n.notBefore });
          break;
        case 'backoffReset':
          this.backoffs.delete(n.instanceKey);
          break;
        case 'pending':
          this.pending.set(n.instanceKey, n.reason);
          break;
        case 'placed':
          this.pending.delete(n.instanceKey);
          break;
        case 'agentDataVia': {
          const agent = this.agents.get(n.agentId);
          if (agent) {
            agent.dataVia = n.dataVia;
            agent.dataViaReason = n.why;
          }
          break;
        }
        case 'killSent':
          this.killsSent.set(n.taskId, n.at);
          break;
        case 'opResult':
          this.opResults.set(n.result.opId, n.result);
          break;
        case 'opConsumed':
          this.opResults.delete(n.opId);
          break;
        default: {
          const never: never = n;
          throw new Error(`unknown note ${JSON.stringify(never)}`);
        }
      }
    }
  }

  private putTask(t: TaskRecord): void {
    this.removeTask(t.taskId);
    this.tasks.set(t.taskId, t);
    const key = instanceKey(t.appId, t.instance);
    let set = this.byInstance.get(key);
    if (!set) this.byInstance.set(key, (set = new Set()));
    set.add(t.taskId);
    if (t.datasetName !== undefined) {
      let ds = this.byDataset.get(t.datasetName);
      if (!ds) this.byDataset.set(t.datasetName, (ds = new Set()));
      ds.add(t.taskId);
    }
  }

  private removeTask(taskId: string): void {
    const old = this.tasks.get(taskId);
    if (!old) return;
    this.tasks.delete(taskId);
    this.killsSent.delete(taskId);
    const key = instanceKey(old.appId, old.instance);
    const set = this.byInstance.get(key);
    set?.delete(taskId);
    if (set?.size === 0) this.byInstance.delete(key);
    if (old.datasetName !== undefined) {
      const ds = this.byDataset.get(old.datasetName);
      ds?.delete(taskId);
      if (ds?.size === 0) this.byDataset.delete(old.datasetName);
    }
  }
}
