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
import { holdsDataset, provesDeath } from './liveness.js';
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
  private readonly byApp = new Map<string, Set<string>>();
  /** live tasks per agent, for spreading */
  private readonly liveOnAgent = new Map<string, number>();
  /** live node executor task per agent */
  private readonly nodeTasks = new Map<string, string>();
  /** tasks holding a dataset that Mesos has lost sight of (unreachable, lost, unknown) */
  readonly outOfSight = new Set<string>();
  /** the running move of each dataset */
  private readonly activeMoves = new Map<string, MoveRecord>();
  /** names of the datasets in state PREPARING: every offer round looks at them, and they are few */
  private readonly preparing = new Set<string>();
  /**
   * Apps whose instances' situations may have changed since they were last
   * worked out: anything written about the app, its tasks, its datasets or
   * their moves marks it. Decisions that walk every instance recompute only
   * these (and those whose relaunch delay ran out), keeping a round cheap
   * with thousands of apps.
   */
  readonly dirtyApps = new Set<string>();
  /** cached situations per app (see instanceSituation.ts), dropped when the app turns dirty */
  readonly situations = new Map<string, unknown>();
  /**
   * Apps whose cached situations hold an instance that does not run: with
   * dirtyApps, all an offer round must look at (instanceSituation.ts keeps it).
   */
  readonly unsettledApps = new Set<string>();
  /** apps whose tasks the kill decisions must look at again (same marking as dirtyApps, consumed separately) */
  readonly killDirty = new Set<string>();
  /** live tasks Ferry asked Mesos to kill, whose kills are repeated until Mesos answers */
  readonly killing = new Set<string>();

  constructor(private readonly specOf: (record: AppRecord) => AppSpec) {}

  /** Builds the world from a durable snapshot; app definitions are re-parsed by the caller's parser. */
  static fromSnapshot(snapshot: StateSnapshot, specOf: (record: AppRecord) => AppSpec): World {
    const w = new World(specOf);
    w.framework = snapshot.framework;
    for (const app of snapshot.apps.values()) {
      w.apps.set(app.id, { record: app, spec: specOf(app) });
      // nothing is known of its instances yet: worked out before the first round
      w.dirtyApps.add(app.id);
    }
    w.order = undefined;
    for (const d of snapshot.datasets.values()) w.putDataset(d);
    for (const t of snapshot.tasks.values()) w.putTask(t);
    for (const m of snapshot.moves.values()) w.applyWrites([{ kind: 'move', record: m }]);
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
    const ids = this.byApp.get(appId);
    return ids ? [...ids].map((id) => this.tasks.get(id)!).filter(Boolean) : [];
  }

  /** Datasets being prepared on an agent (state PREPARING), whose app task follows there. */
  *preparingDatasets(): Generator<DatasetRecord> {
    for (const name of this.preparing) {
      const d = this.datasets.get(name);
      if (d !== undefined) yield d;
    }
  }

  /** The running move of a dataset, if any (at most one at a time). */
  activeMoveOf(dataset: string): MoveRecord | undefined {
    return this.activeMoves.get(dataset);
  }

  /** The node executor task on an agent, if one is live. */
  nodeTaskOn(agentId: string): TaskRecord | undefined {
    const id = this.nodeTasks.get(agentId);
    return id === undefined ? undefined : this.tasks.get(id);
  }

  /** How many live tasks (of any kind) the agent runs. */
  liveTasksOn(agentId: string): number {
    return this.liveOnAgent.get(agentId) ?? 0;
  }

  private order: string[] | undefined;

  /** App ids in sorted order (cached until an app is added or removed). */
  appOrder(): string[] {
    return (this.order ??= [...this.apps.keys()].sort());
  }

  /** Marks the app whose situations a change may affect. */
  touchApp(appId: string | undefined): void {
    if (appId === undefined || appId === '') return;
    this.dirtyApps.add(appId);
    this.killDirty.add(appId);
    this.situations.delete(appId);
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
          if (!this.apps.has(w.record.id)) this.order = undefined;
          this.apps.set(w.record.id, { record: w.record, spec: this.specOf(w.record) });
          this.touchApp(w.record.id);
          break;
        case 'dataset': {
          this.touchApp(this.datasets.get(w.record.name)?.owner?.appId);
          this.putDataset(w.record);
          this.touchApp(w.record.owner?.appId);
          this.touchHolders(w.record.name);
          break;
        }
        case 'task':
          this.putTask(w.record);
          break;
        case 'deleteApp':
          this.apps.delete(w.id);
          this.order = undefined;
          this.touchApp(w.id);
          break;
        case 'deleteDataset':
          this.touchApp(this.datasets.get(w.name)?.owner?.appId);
          this.datasets.delete(w.name);
          this.preparing.delete(w.name);
          break;
        case 'deleteTask':
          this.removeTask(w.taskId);
          break;
        case 'move':
          this.moves.set(w.record.id, w.record);
          if (w.record.state === 'RUNNING') this.activeMoves.set(w.record.dataset, w.record);
          else if (this.activeMoves.get(w.record.dataset)?.id === w.record.id) this.activeMoves.delete(w.record.dataset);
          this.touchApp(w.record.appId);
          this.touchApp(this.datasets.get(w.record.dataset)?.owner?.appId);
          break;
        case 'deleteMove':
          this.moves.delete(w.id);
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
          this.touchApp(parseInstanceKey(n.instanceKey).appId);
          break;
        case 'backoffReset':
          this.backoffs.delete(n.instanceKey);
          this.touchApp(parseInstanceKey(n.instanceKey).appId);
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

  /** Apps whose tasks hold the dataset are affected by what happens to it (their situations name it). */
  private touchHolders(dataset: string): void {
    for (const id of this.byDataset.get(dataset) ?? []) this.touchApp(this.tasks.get(id)?.appId);
  }

  private putDataset(d: DatasetRecord): void {
    this.datasets.set(d.name, d);
    if (d.state === 'PREPARING') this.preparing.add(d.name);
    else this.preparing.delete(d.name);
  }

  private putTask(t: TaskRecord): void {
    this.removeTask(t.taskId);
    this.tasks.set(t.taskId, t);
    this.touchApp(t.appId);
    let ofApp = this.byApp.get(t.appId);
    if (!ofApp) this.byApp.set(t.appId, (ofApp = new Set()));
    ofApp.add(t.taskId);
    if (!isTerminalTaskState(t.state)) this.liveOnAgent.set(t.agentId, this.liveTasksOn(t.agentId) + 1);
    if (t.kind === 'node' && !isTerminalTaskState(t.state)) this.nodeTasks.set(t.agentId, t.taskId);
    if (holdsDataset(t) && (t.state === 'TASK_UNREACHABLE' || t.state === 'TASK_LOST' || t.state === 'TASK_UNKNOWN')) this.outOfSight.add(t.taskId);
    if (t.killRequested === true && !provesDeath(t.state)) this.killing.add(t.taskId);
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
    this.touchApp(old.appId);
    const ofApp = this.byApp.get(old.appId);
    ofApp?.delete(taskId);
    if (ofApp?.size === 0) this.byApp.delete(old.appId);
    if (!isTerminalTaskState(old.state)) {
      const n = this.liveTasksOn(old.agentId) - 1;
      if (n > 0) this.liveOnAgent.set(old.agentId, n);
      else this.liveOnAgent.delete(old.agentId);
    }
    if (this.nodeTasks.get(old.agentId) === taskId) this.nodeTasks.delete(old.agentId);
    this.outOfSight.delete(taskId);
    this.killing.delete(taskId);
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
