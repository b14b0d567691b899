// Pinning: an instance whose dataset already lives on an agent launches only
// there (its data is there), and a dataset not yet placed that an operator
// created for one agent is placed only there. This check never moves data; moves do.

import type { PlacementCheck } from './launchNeed.js';

export const datasetPinning: PlacementCheck = {
  name: 'dataset pinning',
  check(need, candidate) {
    if (need.pinnedAgentId !== undefined) {
      if (need.pinnedAgentId === candidate.agent.id) return undefined;
      return `dataset ${need.datasetName} lives on agent ${need.pinnedAgentId}`;
    }
    const preferred = need.dataset?.agentId === undefined ? need.dataset?.preferredAgent : undefined;
    if (preferred === undefined || preferred === candidate.agent.id) return undefined;
    return `dataset ${need.datasetName} was created to be placed on agent ${preferred}`;
  },
};
