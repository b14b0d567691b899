// Creating a dataset ahead of time (POST /v1/datasets): the checks that need
// the leader's world (name free, agent known, agent in the zone, backend
// configured) and the NEW record to write. Nothing is placed here; placement
// happens when an app first uses the dataset, on the agent asked for if any.

import type { z } from 'zod';
import { datasetNameProblem } from '../apps/datasetName.js';
import { profileProblem } from '../backends/profiles.js';
import { MIB_PER_GIB } from '../backends/volumeSize.js';
import { emptyPlan, type Plan } from '../scheduler/plan.js';
import { ZONE_ATTRIBUTE } from '../scheduler/placement/zoneFit.js';
import type { World } from '../scheduler/world.js';
import type { BackendName, DatasetRecord } from '../state/model.js';
import { ApiError } from './apiError.js';
import type { datasetCreateBody } from './apiSchemas.js';

export type DatasetCreateRequest = z.output<typeof datasetCreateBody>;

const HOW_TO_ENABLE: Record<BackendName, string> = {
  local: '',
  loopback: 'start the scheduler with --loopback-store DIR',
  ebs: 'start the scheduler with --ebs-region REGION',
};

/** Checks that need no world: the name, the profile for this size and backend, and that the backend is configured. */
export function checkDatasetRequest(request: DatasetCreateRequest, backends: readonly BackendName[] | undefined): number {
  const nameProblem = datasetNameProblem(request.name);
  if (nameProblem !== undefined) throw new ApiError(422, nameProblem, 'name');
  const sizeMiB = request.sizeMiB ?? request.size! * MIB_PER_GIB;
  const profile = profileProblem(request.backend, request.profile, sizeMiB);
  if (profile !== undefined) throw new ApiError(422, profile, 'profile');
  if (backends !== undefined && request.backend !== 'local' && !backends.includes(request.backend)) {
    throw new ApiError(422, `the ${request.backend} backend is not configured on this Ferry; ${HOW_TO_ENABLE[request.backend]}`, 'backend');
  }
  return sizeMiB;
}

/** The plan that writes the new dataset, or an ApiError (409 when the name is taken, 422 for an agent that cannot hold it). */
export function planCreateDataset(world: World, request: DatasetCreateRequest, sizeMiB: number, now: number): { plan: Plan; record: DatasetRecord } {
  if (world.datasets.has(request.name)) throw new ApiError(409, `dataset ${request.name} already exists`, 'name');
  if (request.agent !== undefined) {
    const agent = world.agents.get(request.agent);
    if (agent === undefined) {
      throw new ApiError(422, `agent ${request.agent} has sent no offer to this leader; check the id with GET /v1/agents`, 'agent');
    }
    const zone = agent.attributes[ZONE_ATTRIBUTE];
    if (request.zone !== undefined && zone !== request.zone) {
      throw new ApiError(422, `agent ${request.agent} is in zone ${zone ?? '(none)'}, not ${request.zone}`, 'zone');
    }
  }
  const stamp = new Date(now).toISOString();
  const record: DatasetRecord = {
    name: request.name,
    sizeMiB,
    backend: request.backend,
    ...(request.profile !== undefined ? { profile: request.profile } : {}),
    state: 'NEW',
    ...(request.zone !== undefined ? { zone: request.zone } : {}),
    ...(request.agent !== undefined ? { preferredAgent: request.agent } : {}),
    ...(request.metadata !== undefined ? { metadata: request.metadata } : {}),
    createdAt: stamp,
    updatedAt: stamp,
  };
  const plan = emptyPlan();
  plan.writes.push({ kind: 'dataset', record });
  return { plan, record };
}
