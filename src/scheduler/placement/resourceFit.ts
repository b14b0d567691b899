// Resources: the offer must still have the cpus, mem and disk the app asks
// for, after what this round already gave away.

import type { AppSpec } from '../../apps/appSpec.js';
import type { PlacementCheck } from './launchNeed.js';
import type { ResourceNeeds } from './offerResources.js';

export function resourceNeeds(spec: AppSpec): ResourceNeeds {
  return { cpus: spec.cpus, mem: spec.mem, disk: spec.disk, ports: spec.ports.map((p) => p.port) };
}

export const resourceFit: PlacementCheck = {
  name: 'resources',
  check(need, candidate) {
    const short = candidate.offer.shortfall(resourceNeeds(need.spec));
    if (short === undefined) return undefined;
    return `offered ${short.offered} ${short.name}, needs ${short.needed}`;
  },
};
