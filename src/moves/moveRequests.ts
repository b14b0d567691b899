// Starting a move: check that the dataset can move (placed, not already moving,
// not held by a task out of sight unless its volume can be fenced), pick the
// destination (an agent named by the operator, or the best other agent for
// "any"), and write the move record that the machine then drives. Refusals
// come back as errors with a status and the field at fault.

import { evaluateConstraints } from '../apps/constraints/constraintEvaluation.js';
import { isLive } from '../scheduler/liveness.js';
import { emptyPlan, type Plan } from '../scheduler/plan.js';
import type { SchedulerConfig } from '../scheduler/schedulerConfig.js';
import { ZONE_ATTRIBUTE } from '../scheduler/placement/zoneFit.js';
import type { AgentView, World } from '../scheduler/world.js';
import { backendKind } from './backendKinds.js';
import { hostPathOn } from './moveMachine.js';
import type { MoveRecord, MoveStep, MoveTrigger } from './moveModel.js';

export interface MoveRequest {
  dataset: string;
  /** an agent id, or "any" */
  to: string;
  trigger: MoveTrigger;
  /** the source is gone: fence its volume by force (block backends only) */
  force?: boolean;
}

export interface MoveIds {
  moveId: string;
  token: string;
}

export type MoveStart = { ok: true; plan: Plan; move: MoveRecord } | { ok: false; status: 404 | 409 | 422 | 503; field: string; message: string };

/** Agents whose offers were seen recently count as up. */
const AGENT_FRESH_MS = 5 * 60_000;

export function planStartMove(world: World, request: MoveRequest, now: number, config: SchedulerConfig, ids: MoveIds): MoveStart {
  const dataset = world.datasets.get(request.dataset);
  if (dataset === undefined) return { ok: false, status: 404, field: 'name', message: `dataset ${request.dataset} does not exist` };
  const active = world.activeMoveOf(dataset.name);
  if (active !== undefined) return { ok: false, status: 409, field: 'name', message: `dataset ${dataset.name} is already moving (move ${active.id}, step ${active.step})` };
  if (dataset.agentId === undefined || dataset.state === 'NEW') {
    return { ok: false, status: 409, field: 'name', message: `dataset ${dataset.name} has not been placed yet; it is created where its app first runs` };
  }
  if (dataset.state === 'PREPARING') return { ok: false, status: 409, field: 'name', message: `dataset ${dataset.name} is still being prepared on ${dataset.agentId}` };
  const kind = backendKind(dataset.backend);
  if (kind === 'block' && dataset.volumeId === undefined) {
    return { ok: false, status: 409, field: 'name', message: `dataset ${dataset.name} has no ${dataset.backend} volume recorded` };
  }
  if (request.force === true && kind === 'copy') {
    return { ok: false, status: 422, field: 'force', message: `dataset ${dataset.name} is on the local backend: its data lives only on ${dataset.agentId}, which cannot be fenced or copied from while it is gone` };
  }
  const outOfSight = world.liveTasksOfDataset(dataset.name).find((t) => t.state === 'TASK_UNREACHABLE' || t.state === 'TASK_LOST' || t.state === 'TASK_UNKNOWN');
  if (outOfSight !== undefined && request.force !== true) {
    return {
      ok: false,
      status: 409,
      field: 'name',
      message:
        kind === 'copy'
          ? `dataset ${dataset.name} is held by task ${outOfSight.taskId}, which is ${outOfSight.state} on ${dataset.agentId}: a local dataset cannot move until its agent is back`
          : `dataset ${dataset.name} is held by task ${outOfSight.taskId}, which is ${outOfSight.state}; its volume is fenced and moved automatically after the agent-lost timeout`,
    };
  }

  const from = dataset.agentId;
  let to: AgentView | undefined;
  if (request.to === 'any') {
    if (![...world.agents.keys()].some((id) => id !== from)) {
      return { ok: false, status: 503, field: 'to', message: 'Ferry has not heard from any other agent yet (it may have just taken over); retry in a few seconds' };
    }
    to = chooseDestination(world, dataset.name, from, now);
    if (to === undefined) return { ok: false, status: 409, field: 'to', message: `no other agent can take dataset ${dataset.name} now (none offered resources recently, or none fits its zone and the app's constraints)` };
  } else {
    to = world.agents.get(request.to);
    if (to === undefined) return { ok: false, status: 422, field: 'to', message: `agent ${request.to} is not known to Ferry (no offer from it yet); use GET /v1/agents or "any"` };
    if (to.id === from) return { ok: false, status: 422, field: 'to', message: `dataset ${dataset.name} already lives on ${from}` };
    const zone = zoneProblem(dataset.zone, to);
    if (zone !== undefined) return { ok: false, status: 422, field: 'to', message: zone };
  }

  const stamp = new Date(now).toISOString();
  const first: MoveStep = kind === 'copy' ? 'RECEIVER' : request.force === true ? 'FENCE' : 'STOP_TASK';
  const move: MoveRecord = {
    id: ids.moveId,
    dataset: dataset.name,
    backend: dataset.backend,
    kind,
    ...(dataset.owner !== undefined ? { appId: dataset.owner.appId, instance: dataset.owner.instance } : {}),
    trigger: request.trigger,
    from,
    fromHostPath: dataset.hostPath ?? hostPathOn(world, from, dataset.name, kind, config),
    to: to.id,
    toHostPath: hostPathOn(world, to.id, dataset.name, kind, config),
    toHostname: to.hostname,
    state: 'RUNNING',
    step: first,
    steps: [{ step: first, startedAt: stamp }],
    rounds: [],
    attempt: 0,
    ...(kind === 'copy' ? { token: ids.token } : {}),
    ...(dataset.volumeId !== undefined ? { volumeId: dataset.volumeId } : {}),
    ...(dataset.device !== undefined ? { fromDevice: dataset.device } : {}),
    ...(request.force === true ? { forced: true } : {}),
    createdAt: stamp,
    updatedAt: stamp,
  };
  const plan = emptyPlan();
  plan.writes.push({ kind: 'move', record: move });
  return { ok: true, plan, move };
}

function zoneProblem(zone: string | undefined, agent: AgentView): string | undefined {
  if (zone === undefined) return undefined;
  const agentZone = agent.attributes[ZONE_ATTRIBUTE];
  if (agentZone === zone) return undefined;
  return `agent ${agent.id} is in zone ${agentZone ?? '(none)'}, the dataset's volume in ${zone}`;
}

/** The best other agent for a dataset: up, in its zone, within the app's constraints, running the fewest Ferry tasks. */
export function chooseDestination(world: World, datasetName: string, from: string, now: number): AgentView | undefined {
  const dataset = world.datasets.get(datasetName)!;
  const owner = dataset.owner;
  const app = owner === undefined ? undefined : world.apps.get(owner.appId);
  const load = new Map<string, number>();
  const peers: { hostname: string; attributes: Record<string, string>; instance: number }[] = [];
  for (const t of world.tasks.values()) {
    if (!isLive(t)) continue;
    load.set(t.agentId, (load.get(t.agentId) ?? 0) + 1);
    if (owner !== undefined && t.appId === owner.appId && t.instance !== owner.instance && t.kind !== 'prepare' && t.kind !== 'node') {
      const a = world.agents.get(t.agentId);
      if (a !== undefined) peers.push({ hostname: a.hostname, attributes: a.attributes, instance: t.instance });
    }
  }
  // agents seen in an offer lately first; any agent ever seen when none was (offers stop while Ferry suppresses them)
  let best: AgentView | undefined;
  let bestFresh = false;
  for (const agent of world.agents.values()) {
    if (agent.id === from || agent.draining === true) continue;
    if (agent.unavailableFrom !== undefined) continue;
    if (zoneProblem(dataset.zone, agent) !== undefined) continue;
    if (app !== undefined && app.spec.constraints.length > 0 && !evaluateConstraints(app.spec.constraints, agent, peers).ok) continue;
    const fresh = agent.lastOfferAt !== undefined && now - agent.lastOfferAt <= AGENT_FRESH_MS;
    const better = best === undefined || (fresh && !bestFresh) || (fresh === bestFresh && (load.get(agent.id) ?? 0) < (load.get(best.id) ?? 0));
    if (better) {
      best = agent;
      bestFresh = fresh;
    }
  }
  return best;
}

/** Starts removing a placed dataset's data: its directory (local) or its volume (block), then its record. */
export function planDestroyDataset(world: World, name: string, now: number, config: SchedulerConfig, moveId: string): MoveStart {
  const dataset = world.datasets.get(name);
  if (dataset === undefined) return { ok: false, status: 404, field: 'name', message: `dataset ${name} does not exist` };
  const kind = backendKind(dataset.backend);
  const from = dataset.agentId ?? '';
  if (kind === 'copy' && from === '') return { ok: false, status: 409, field: 'name', message: `dataset ${name} has no agent recorded for its data` };
  const stamp = new Date(now).toISOString();
  const first: MoveStep = kind === 'copy' ? 'DESTROY' : from === '' ? 'DESTROY' : 'UNMOUNT';
  const move: MoveRecord = {
    id: moveId,
    dataset: name,
    backend: dataset.backend,
    kind,
    trigger: 'destroy',
    from,
    fromHostPath: dataset.hostPath ?? (from === '' ? '' : hostPathOn(world, from, name, kind, config)),
    to: '',
    toHostPath: '',
    state: 'RUNNING',
    step: first,
    steps: [{ step: first, startedAt: stamp }],
    rounds: [],
    attempt: 0,
    ...(dataset.volumeId !== undefined ? { volumeId: dataset.volumeId } : {}),
    ...(dataset.device !== undefined ? { fromDevice: dataset.device } : {}),
    createdAt: stamp,
    updatedAt: stamp,
  };
  const plan = emptyPlan();
  plan.writes.push({ kind: 'move', record: move }, { kind: 'dataset', record: { ...dataset, state: 'DELETING', updatedAt: stamp } });
  return { ok: true, plan, move };
}
