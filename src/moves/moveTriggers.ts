// What starts moves without an operator: an agent out of reach past the
// agent-lost timeout (block backends fence its volume and move on; a copy
// backend cannot reach the data, so the dataset is marked unavailable and
// Ferry waits), Mesos maintenance announced by inverse offers (datasets move
// away before the window), and a draining agent (block volumes are released by
// force; its node executor was drained too). Pure: ids and time are given.

import type { InverseOffer } from '../mesos/types.js';
import type { DatasetRecord } from '../state/model.js';
import { emptyPlan, mergePlans, type Plan } from '../scheduler/plan.js';
import type { SchedulerConfig } from '../scheduler/schedulerConfig.js';
import type { World } from '../scheduler/world.js';
import { backendKind } from './backendKinds.js';
import { planStartMove, type MoveIds } from './moveRequests.js';

const OUT_OF_SIGHT = new Set(['TASK_UNREACHABLE', 'TASK_LOST', 'TASK_UNKNOWN']);

export function planAgentLost(world: World, now: number, config: SchedulerConfig, ids: () => MoveIds): Plan {
  const plans: Plan[] = [];
  const timeoutMs = config.agentLostTimeoutSeconds * 1000;
  for (const taskId of world.outOfSight) {
    const holder = world.tasks.get(taskId);
    if (holder === undefined || holder.datasetName === undefined || !OUT_OF_SIGHT.has(holder.state)) continue;
    if (now - Date.parse(holder.updatedAt) < timeoutMs) continue;
    const dataset = world.datasets.get(holder.datasetName);
    if (dataset === undefined || world.activeMoveOf(dataset.name) !== undefined) continue;
    if (backendKind(dataset.backend) === 'copy') {
      if (dataset.state !== 'UNAVAILABLE') plans.push(markUnavailable(dataset, holder.agentId, holder.state, now));
      continue;
    }
    const started = planStartMove(world, { dataset: dataset.name, to: 'any', trigger: 'agent-lost', force: true }, now, config, ids());
    if (started.ok) plans.push(started.plan);
  }
  return mergePlans(...plans);
}

function markUnavailable(dataset: DatasetRecord, agentId: string, state: string, now: number): Plan {
  const plan = emptyPlan();
  plan.writes.push({
    kind: 'dataset',
    record: {
      ...dataset,
      state: 'UNAVAILABLE',
      unavailableCause: 'agent-unreachable',
      reason: `its agent ${agentId} is out of reach (task ${state}); a local dataset lives only there, so Ferry waits for the agent to return and never starts the app elsewhere without its data`,
      updatedAt: new Date(now).toISOString(),
    },
  });
  return plan;
}

/** A dataset marked unavailable because its agent was out of reach is available again once its task is seen running there. */
export function planAgentBack(world: World, agentId: string, now: number): Plan {
  const plan = emptyPlan();
  for (const d of world.datasets.values()) {
    if (d.agentId !== agentId || d.state !== 'UNAVAILABLE' || d.unavailableCause !== 'agent-unreachable') continue;
    const { reason: _r, unavailableCause: _c, ...rest } = d;
    plan.writes.push({ kind: 'dataset', record: { ...rest, state: 'READY', updatedAt: new Date(now).toISOString() } });
  }
  return plan;
}

/** Maintenance is coming to these agents: move their datasets away now, and say we comply. */
export function planMaintenance(world: World, inverseOffers: InverseOffer[], now: number, config: SchedulerConfig, ids: () => MoveIds): Plan {
  const plans: Plan[] = [];
  const accepted: string[] = [];
  for (const io of inverseOffers) {
    const agentId = io.agent_id?.value;
    if (agentId === undefined) continue;
    const agent = world.agents.get(agentId);
    if (agent !== undefined) agent.unavailableFrom = Math.floor(io.unavailability.start.nanoseconds / 1e6);
    for (const dataset of world.datasets.values()) {
      if (dataset.agentId !== agentId || dataset.state !== 'READY' || world.activeMoveOf(dataset.name) !== undefined) continue;
      const started = planStartMove(world, { dataset: dataset.name, to: 'any', trigger: 'maintenance' }, now, config, ids());
      if (started.ok) plans.push(started.plan);
    }
    accepted.push(io.id.value);
  }
  const plan = mergePlans(...plans);
  if (accepted.length > 0) plan.mesos.push({ type: 'ACCEPT_INVERSE_OFFERS', inverseOfferIds: accepted });
  return plan;
}

/** Block volumes left on a draining agent (its tasks, node executor included, were drained) are released by force and moved. */
export function planDrained(world: World, now: number, config: SchedulerConfig, ids: () => MoveIds): Plan {
  const plans: Plan[] = [];
  if (![...world.agents.values()].some((a) => a.draining === true)) return emptyPlan();
  for (const dataset of world.datasets.values()) {
    if (dataset.agentId === undefined || dataset.state !== 'READY' || backendKind(dataset.backend) !== 'block') continue;
    if (world.agents.get(dataset.agentId)?.draining !== true || world.activeMoveOf(dataset.name) !== undefined) continue;
    if (world.liveTasksOfDataset(dataset.name).length > 0) continue;
    const started = planStartMove(world, { dataset: dataset.name, to: 'any', trigger: 'drain', force: true }, now, config, ids());
    if (started.ok) plans.push(started.plan);
  }
  return mergePlans(...plans);
}
