// One round of offers: place every instance that needs a task (pinned ones on
// their dataset's agent, new ones on the best-ranked feasible agent), several
// launches per offer, and decline the rest with a filter that fits why they
// went unused. Returns a plan: task and dataset records to write before the
// ACCEPT calls, the calls, and a pending reason for each instance left
// waiting. Pure: ids and time are given.

import type { Offer, TaskInfo } from '../mesos/types.js';
import type { DataVia, DatasetRecord, TaskRecord } from '../state/model.js';
import { pendingSituations } from './instanceSituation.js';
import type { Candidate, LaunchNeed, PeerAgent, PlacementContext } from './placement/launchNeed.js';
import { CandidateQueue } from './placement/candidateQueue.js';
import { evaluate, PLACEMENT_CHECKS } from './placement/offerEvaluator.js';
import { OfferResources } from './placement/offerResources.js';
import { resourceNeeds } from './placement/resourceFit.js';
import { emptyPlan, type Plan } from './plan.js';
import type { SchedulerConfig } from './schedulerConfig.js';
import { buildTaskInfo, LABEL_DATASET } from './taskBuilder.js';
import { backendKind } from '../moves/backendKinds.js';
import { agentsNeedingNodeExecutors, hostPathOn, NODE_PORTS } from '../moves/moveMachine.js';
import type { MoveRecord } from '../moves/moveModel.js';
import { buildNodeExecutorTask, nodeExecutorFits } from './nodeExecutorTask.js';
import { ZONE_ATTRIBUTE } from './placement/zoneFit.js';
import { isLive } from './liveness.js';
import { instanceKey, type AgentView, type World } from './world.js';

export interface RoundInput {
  offers: Offer[];
  now: number;
  config: SchedulerConfig;
  newTaskId: (appId: string, instance: number) => string;
  /** a fresh unique id (uuid) for node tasks, moves and tokens */
  newId: () => string;
}

/** The directory that holds a local-backend dataset on an agent. */
export function datasetHostPath(agent: AgentView, datasetName: string, config: SchedulerConfig): string {
  const root = agent.attributes['ferry_root'] ?? config.defaultFerryRoot;
  return `${root.replace(/\/+$/, '')}/${datasetName}`;
}

/** How a task on this agent reaches its data. */
export function dataViaFor(agent: AgentView, config: SchedulerConfig): DataVia {
  if (config.dataVia !== 'auto') return config.dataVia;
  const configured = agent.attributes['ferry_data_via'];
  if (configured === 'env' || configured === 'volume') return configured;
  return agent.dataVia ?? 'volume';
}

export function planOfferRound(world: World, input: RoundInput): Plan {
  const plan = emptyPlan();
  const { offers, now, config } = input;
  const candidates: Candidate[] = [];
  const byAgent = new Map<string, Candidate>();
  for (const offer of offers) {
    const agent = world.agents.get(offer.agent_id.value);
    if (agent === undefined) continue;
    const candidate = { offer: new OfferResources(offer), agent };
    if (byAgent.has(agent.id)) {
      // two offers from one agent in one round: use the first, decline the other
      candidates.push(candidate);
      continue;
    }
    byAgent.set(agent.id, candidate);
    candidates.push(candidate);
  }

  const context = new RoundContext(world);
  const queue = new CandidateQueue([...byAgent.values()], context);
  const taskInfos = new Map<Candidate, TaskInfo[]>();
  let unplacedFlexible = false;
  /** agents whose offer a waiting pinned instance could not use this time (it may fit later) */
  const wantedAgents = new Set<string>();

  // node executors first: moves wait for them, and they are small
  const wantNode = agentsNeedingNodeExecutors(world);
  for (const agentId of wantNode) {
    const candidate = byAgent.get(agentId);
    if (candidate === undefined || world.nodeTaskOn(agentId) !== undefined || config.artifactUrl === undefined) continue;
    if (!nodeExecutorFits(candidate.offer, NODE_PORTS)) continue;
    const taskId = `ferry-node.${agentId.replace(/[^A-Za-z0-9._-]/g, '_')}.${input.newId()}`;
    const { info, ports } = buildNodeExecutorTask(taskId, agentId, candidate.agent.hostname, candidate.offer, NODE_PORTS, config);
    const stamp = new Date(now).toISOString();
    plan.writes.push({
      kind: 'task',
      record: { taskId, kind: 'node', appId: '', instance: -1, agentId, hostname: candidate.agent.hostname, state: 'TASK_STAGING', ports, launchedAt: stamp, updatedAt: stamp },
    });
    taskInfos.set(candidate, [...(taskInfos.get(candidate) ?? []), info]);
  }

  holdForPreparedDatasets(world, byAgent);

  const needs: LaunchNeed[] = [];
  for (const { key, situation } of pendingSituations(world, now)) {
    switch (situation.kind) {
      case 'running':
        break;
      case 'blocked':
      case 'backoff':
        plan.notes.push({ kind: 'pending', instanceKey: key, reason: situation.reason });
        break;
      case 'needsLaunch':
        needs.push(situation.need);
        break;
      default: {
        const never: never = situation;
        throw new Error(`unknown situation ${JSON.stringify(never)}`);
      }
    }
  }
  // pinned instances first: they can use only one agent, flexible ones many
  needs.sort((a, b) => Number(b.pinnedAgentId !== undefined) - Number(a.pinnedAgentId !== undefined));

  for (const need of needs) {
    const key = instanceKey(need.appId, need.instance);
    let chosen: Candidate | undefined;
    let reason: string | undefined;
    if (need.pinnedAgentId !== undefined) {
      const candidate = byAgent.get(need.pinnedAgentId);
      if (candidate === undefined) {
        reason = `waiting for an offer from agent ${need.pinnedAgentId}, which holds dataset ${need.datasetName}`;
      } else {
        const why = evaluate(need, candidate, context, PLACEMENT_CHECKS);
        if (why === undefined) chosen = candidate;
        else {
          reason = `agent ${need.pinnedAgentId} holds dataset ${need.datasetName} but ${why}`;
          wantedAgents.add(need.pinnedAgentId);
        }
      }
    } else {
      const refusals = new Map<string, number>();
      for (const candidate of queue.inOrder()) {
        const why = evaluate(need, candidate, context, PLACEMENT_CHECKS);
        if (why === undefined) {
          chosen = candidate;
          break;
        }
        refusals.set(why, (refusals.get(why) ?? 0) + 1);
      }
      if (chosen === undefined) {
        unplacedFlexible = true;
        reason =
          byAgent.size === 0
            ? 'waiting for offers'
            : `no offer fits: ${[...refusals].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([why, n]) => `${n} offer${n === 1 ? '' : 's'}: ${why}`).join('; ')}`;
      }
    }

    if (chosen === undefined) {
      plan.notes.push({ kind: 'pending', instanceKey: key, reason: reason! });
      continue;
    }
    context.placed(need, chosen);
    if (need.pinnedAgentId === undefined) queue.took(chosen);
    if (needsBlockPlacement(need)) {
      // a new block volume: created, attached and mounted by a placement move before any task runs
      plan.writes.push(...placeBlockDataset(world, need, chosen, input));
      plan.notes.push({ kind: 'pending', instanceKey: key, reason: `creating the ${need.spec.dataset!.backend} volume of dataset ${need.datasetName} on agent ${chosen.agent.id}` });
      continue;
    }
    const placed = place(need, chosen, input);
    plan.writes.push({ kind: 'task', record: placed.task });
    if (placed.dataset !== undefined) plan.writes.push({ kind: 'dataset', record: placed.dataset });
    plan.notes.push({ kind: 'placed', instanceKey: key });
    taskInfos.set(chosen, [...(taskInfos.get(chosen) ?? []), placed.info]);
  }

  const declinedShort: string[] = [];
  const declinedLong: string[] = [];
  for (const candidate of candidates) {
    const infos = taskInfos.get(candidate);
    if (infos === undefined) {
      const mayFitLater = unplacedFlexible || wantedAgents.has(candidate.agent.id);
      (mayFitLater ? declinedShort : declinedLong).push(candidate.offer.offer.id.value);
    } else {
      plan.mesos.push({
        type: 'LAUNCH',
        offerId: candidate.offer.offer.id.value,
        agentId: candidate.agent.id,
        tasks: infos,
        refuseSeconds: config.acceptRefuseSeconds,
      });
    }
  }
  for (const offer of offers) {
    if (!world.agents.has(offer.agent_id.value)) declinedLong.push(offer.id.value);
  }
  if (declinedShort.length > 0) plan.mesos.push({ type: 'DECLINE', offerIds: declinedShort, refuseSeconds: config.shortRefuseSeconds });
  if (declinedLong.length > 0) plan.mesos.push({ type: 'DECLINE', offerIds: declinedLong, refuseSeconds: config.declineRefuseSeconds });
  return plan;
}

/** A short task that creates the dataset's directory on its agent, as a real agent needs it to exist before a HOST_PATH volume names it. */
export function prepareTaskInfo(taskId: string, agentId: string, datasetName: string, hostPath: string, resources: TaskInfo['resources']): TaskInfo {
  return {
    name: `prepare dataset ${datasetName}`,
    task_id: { value: taskId },
    agent_id: { value: agentId },
    resources: resources ?? [],
    command: { shell: false, value: '/bin/mkdir', arguments: ['mkdir', '-p', '-m', '0750', hostPath] },
    labels: { labels: [{ key: LABEL_DATASET, value: datasetName }, { key: 'ferry/purpose', value: 'prepare' }] },
  };
}

function needsBlockPlacement(need: LaunchNeed): boolean {
  const claim = need.spec.dataset;
  if (claim === undefined || need.datasetName === undefined || backendKind(claim.backend) !== 'block') return false;
  const d = need.dataset;
  return d === undefined || d.agentId === undefined || d.state === 'NEW';
}

/** The dataset is bound to the chosen agent (PREPARING) and a placement move creates, attaches and mounts its volume there. */
function placeBlockDataset(world: World, need: LaunchNeed, candidate: Candidate, input: RoundInput): Plan['writes'] {
  const { config, now } = input;
  const claim = need.spec.dataset!;
  const stamp = new Date(now).toISOString();
  const name = need.datasetName!;
  const hostPath = hostPathOn(world, candidate.agent.id, name, 'block', config);
  const zone = candidate.agent.attributes[ZONE_ATTRIBUTE];
  const dataset: DatasetRecord = {
    ...(need.dataset ?? newDataset(name, claim, stamp)),
    state: 'PREPARING',
    agentId: candidate.agent.id,
    hostname: candidate.agent.hostname,
    hostPath,
    owner: { appId: need.appId, instance: need.instance },
    ...(need.dataset?.zone === undefined && zone !== undefined ? { zone } : {}),
    updatedAt: stamp,
  };
  delete dataset.reason;
  const move: MoveRecord = {
    id: input.newId(),
    dataset: name,
    backend: claim.backend,
    kind: 'block',
    appId: need.appId,
    instance: need.instance,
    trigger: 'placement',
    from: '',
    fromHostPath: '',
    to: candidate.agent.id,
    toHostPath: hostPath,
    toHostname: candidate.agent.hostname,
    state: 'RUNNING',
    step: need.dataset?.volumeId !== undefined ? 'ATTACH' : 'CREATE',
    steps: [{ step: need.dataset?.volumeId !== undefined ? 'ATTACH' : 'CREATE', startedAt: stamp }],
    rounds: [],
    attempt: 0,
    ...(need.dataset?.volumeId !== undefined ? { volumeId: need.dataset.volumeId } : {}),
    createdAt: stamp,
    updatedAt: stamp,
  };
  return [
    { kind: 'dataset', record: dataset },
    { kind: 'move', record: move },
  ];
}

/**
 * A dataset being prepared on an agent is followed there by its app's task:
 * offers from that agent keep that task's share back from every other
 * instance, or later rounds would fill the agent before the task can launch.
 */
function holdForPreparedDatasets(world: World, byAgent: Map<string, Candidate>): void {
  if (byAgent.size === 0) return;
  for (const dataset of world.preparingDatasets()) {
    if (dataset.agentId === undefined || dataset.owner === undefined) continue;
    const candidate = byAgent.get(dataset.agentId);
    const app = candidate === undefined ? undefined : world.apps.get(dataset.owner.appId);
    if (candidate !== undefined && app !== undefined) candidate.offer.hold(resourceNeeds(app.spec));
  }
}

/** What a prepare task takes from an offer: the least Mesos accepts. */
export const PREPARE_NEEDS = { cpus: 0.01, mem: 32, disk: 0, ports: [] };

function place(need: LaunchNeed, candidate: Candidate, input: RoundInput): { task: TaskRecord; dataset?: DatasetRecord; info: TaskInfo } {
  const { config, now } = input;
  const agent = candidate.agent;
  const taskId = input.newTaskId(need.appId, need.instance);
  const stamp = new Date(now).toISOString();
  const task: TaskRecord = {
    taskId,
    appId: need.appId,
    instance: need.instance,
    agentId: agent.id,
    hostname: agent.hostname,
    state: 'TASK_STAGING',
    configVersion: need.configVersion,
    launchedAt: stamp,
    updatedAt: stamp,
  };
  const claim = need.spec.dataset;
  if (need.datasetName === undefined || claim === undefined) {
    const needs = resourceNeeds(need.spec);
    const ports = candidate.offer.pickPorts(needs.ports) ?? [];
    const resources = candidate.offer.take(needs, ports);
    return { task, info: buildTaskInfo(need.spec, need.instance, { taskId, agentId: agent.id, hostname: agent.hostname, resources, ports }) };
  }

  const existing = need.dataset;
  const placed = existing !== undefined && existing.agentId !== undefined && existing.state === 'READY';
  const hostPath = existing?.hostPath ?? datasetHostPath(agent, need.datasetName, config);
  const dataVia = dataViaFor(agent, config);
  task.datasetName = need.datasetName;
  task.hostPath = hostPath;
  const placedHere = (state: 'PREPARING' | 'READY'): DatasetRecord => {
    const record: DatasetRecord = {
      ...(existing ?? newDataset(need.datasetName!, claim, stamp)),
      state,
      agentId: agent.id,
      hostname: agent.hostname,
      hostPath,
      owner: { appId: need.appId, instance: need.instance },
      updatedAt: stamp,
    };
    delete record.reason;
    return record;
  };

  if (!placed && dataVia === 'volume') {
    // first use on this agent: create the directory before any task names it in a volume
    const resources = candidate.offer.take(PREPARE_NEEDS, []);
    // the app's task follows on this agent once the directory exists: nothing else in this round may count on its share
    candidate.offer.hold(resourceNeeds(need.spec));
    task.kind = 'prepare';
    return { task, dataset: placedHere('PREPARING'), info: prepareTaskInfo(taskId, agent.id, need.datasetName, hostPath, resources) };
  }

  const needs = resourceNeeds(need.spec);
  const ports = candidate.offer.pickPorts(needs.ports) ?? [];
  const resources = candidate.offer.take(needs, ports);
  task.dataVia = dataVia;
  const dataset = !placed || existing.owner === undefined ? placedHere('READY') : undefined;
  const info = buildTaskInfo(need.spec, need.instance, {
    taskId,
    agentId: agent.id,
    hostname: agent.hostname,
    resources,
    ports,
    dataset: { name: need.datasetName, hostPath, dataVia },
  });
  return { task, ...(dataset ? { dataset } : {}), info };
}

function newDataset(name: string, claim: NonNullable<LaunchNeed['spec']['dataset']>, stamp: string): DatasetRecord {
  return {
    name,
    sizeMiB: claim.sizeMiB,
    backend: claim.backend,
    ...(claim.profile !== undefined ? { profile: claim.profile } : {}),
    state: 'NEW',
    createdAt: stamp,
    updatedAt: stamp,
  };
}

/** What placement checks may ask about the cluster during one round, including this round's own placements. */
class RoundContext implements PlacementContext {
  /** tasks placed this round, per agent */
  private readonly added = new Map<string, number>();
  /** peers per app, worked out on first use (only apps with constraints ask) */
  private readonly peers = new Map<string, Map<number, PeerAgent>>();

  constructor(private readonly world: World) {}

  peersOf(appId: string, exceptInstance: number): PeerAgent[] {
    const byInstance = this.peersByInstance(appId);
    const out: PeerAgent[] = [];
    for (const [instance, peer] of byInstance) if (instance !== exceptInstance) out.push(peer);
    return out;
  }

  load(agentId: string): number {
    return this.world.liveTasksOn(agentId) + (this.added.get(agentId) ?? 0);
  }

  placed(need: LaunchNeed, candidate: Candidate): void {
    this.added.set(candidate.agent.id, (this.added.get(candidate.agent.id) ?? 0) + 1);
    if (need.spec.constraints.length > 0) {
      this.peersByInstance(need.appId).set(need.instance, { agentId: candidate.agent.id, instance: need.instance, hostname: candidate.agent.hostname, attributes: candidate.agent.attributes });
    }
  }

  private peersByInstance(appId: string): Map<number, PeerAgent> {
    let byInstance = this.peers.get(appId);
    if (byInstance !== undefined) return byInstance;
    byInstance = new Map();
    for (const task of this.world.tasksOfApp(appId)) {
      if (!isLive(task) || task.kind === 'prepare' || task.kind === 'node') continue;
      const agent = this.world.agents.get(task.agentId);
      byInstance.set(task.instance, { agentId: task.agentId, instance: task.instance, hostname: agent?.hostname ?? task.hostname ?? '', attributes: agent?.attributes ?? {} });
    }
    this.peers.set(appId, byInstance);
    return byInstance;
  }
}
