// The placement vocabulary: an app instance that needs a task (a launch need),
// an offer being handed out with the agent it comes from (a candidate), and
// what checks may ask about the rest of the cluster (the context).

import type { AppSpec } from '../../apps/appSpec.js';
import type { DatasetRecord } from '../../state/model.js';
import type { AgentView } from '../world.js';
import type { OfferResources } from './offerResources.js';

export interface LaunchNeed {
  appId: string;
  instance: number;
  spec: AppSpec;
  /** the app's configVersion the new task is launched with */
  configVersion: string;
  /** the dataset this instance uses (undefined for a stateless app) */
  datasetName?: string;
  /** its record, if it exists yet */
  dataset?: DatasetRecord;
  /** the only agent this instance may run on: where its dataset lives */
  pinnedAgentId?: string;
}

export interface Candidate {
  offer: OfferResources;
  agent: AgentView;
}

export interface PeerAgent {
  agentId: string;
  instance: number;
  hostname: string;
  attributes: Record<string, string>;
}

export interface PlacementContext {
  /** where the app's other instances run or were just placed, for Marathon constraints */
  peersOf(appId: string, exceptInstance: number): PeerAgent[];
  /** how many Ferry tasks the agent runs or was just given, for spreading */
  load(agentId: string): number;
}

/** A check says why a candidate cannot host a need, or undefined when it can. */
export interface PlacementCheck {
  readonly name: string;
  check(need: LaunchNeed, candidate: Candidate, context: PlacementContext): string | undefined;
}
