// The apps of the scale benchmarks: single-instance apps with one local-backend
// dataset each (cpus 0.01, mem 16), and one app no agent can hold, which keeps
// Ferry asking for offers and declining them all.

/** The Marathon id of scale app i (1-based). */
export function appId(i: number): string {
  return `/scale/app-${String(i).padStart(5, '0')}`;
}

/** The Marathon definition of scale app i, as POSTed to /v1/apps. */
export function appDefinition(i: number): Record<string, unknown> {
  return {
    id: appId(i),
    cmd: 'sleep 3600',
    cpus: 0.01,
    mem: 16,
    instances: 1,
    portDefinitions: [],
    container: {
      type: 'MESOS',
      volumes: [
        {
          containerPath: 'data',
          mode: 'RW',
          external: { name: `scale-${String(i).padStart(5, '0')}`, size: 1, provider: 'ferry', options: { 'ferry/backend': 'local' } },
        },
      ],
    },
  };
}

/** An app no agent can hold (more cpus than any agent has): Ferry keeps wanting offers and declines them all. */
export const UNPLACEABLE = { id: '/scale/unplaceable', cmd: 'sleep 3600', cpus: 64, mem: 16, instances: 1, portDefinitions: [] };
