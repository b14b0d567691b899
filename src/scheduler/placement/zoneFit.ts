// Backend placement: a dataset bound to a zone (a block volume lives in one
// availability zone) can only be used from agents in that zone.

import type { PlacementCheck } from './launchNeed.js';

/** The agent attribute that names its zone, as Mesos agents are commonly labelled. */
export const ZONE_ATTRIBUTE = 'zone';

export const zoneFit: PlacementCheck = {
  name: 'zone',
  check(need, candidate) {
    const zone = need.dataset?.zone;
    if (zone === undefined) return undefined;
    const agentZone = candidate.agent.attributes[ZONE_ATTRIBUTE];
    if (agentZone === zone) return undefined;
    return agentZone === undefined
      ? `dataset ${need.datasetName} is in zone ${zone}; the agent has no ${ZONE_ATTRIBUTE} attribute`
      : `dataset ${need.datasetName} is in zone ${zone}, the agent in ${agentZone}`;
  },
};
