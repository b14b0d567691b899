// Ports: every fixed port the app names must be offered, and enough free
// ports must remain for its dynamic (0) ports.

import type { PlacementCheck } from './launchNeed.js';

export const portFit: PlacementCheck = {
  name: 'ports',
  check(need, candidate) {
    const wanted = need.spec.ports.map((p) => p.port);
    if (wanted.length === 0) return undefined;
    if (candidate.offer.pickPorts(wanted) !== undefined) return undefined;
    const fixed = wanted.filter((p) => p !== 0);
    const missing = fixed.filter((p) => !candidate.offer.hasPort(p));
    if (missing.length > 0) return `port${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not offered`;
    return `offered ${candidate.offer.freePortCount()} free ports, needs ${wanted.length}`;
  },
};
