// Pinning: an instance whose dataset already lives on an agent launches only
// there (its data is there). This check never moves data; moves do.

import type { PlacementCheck } from './launchNeed.js';

export const datasetPinning: PlacementCheck = {
  name: 'dataset pinning',
  check(need, candidate) {
    if (need.pinnedAgentId === undefined || need.pinnedAgentId === candidate.agent.id) return undefined;
    return `dataset ${need.datasetName} lives on agent ${need.pinnedAgentId}`;
  },
};
