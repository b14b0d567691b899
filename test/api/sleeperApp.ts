// The Marathon definition the API tests deploy: a sleeping task with one
// dataset of its own, named after the app; `extra` adds or replaces fields.

export function sleeperApp(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    cmd: 'sleep 600',
    cpus: 0.1,
    mem: 32,
    portDefinitions: [],
    container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', external: { name: `${id.slice(1)}-data`, size: 1, provider: 'ferry' } }] },
    ...extra,
  };
}
