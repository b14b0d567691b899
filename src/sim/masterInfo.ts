// The MasterInfo a Mesos 1.12 master announces in SUBSCRIBED events and in
// ZooKeeper: ip as a uint32 in network byte order (127.0.0.1 is 16777343),
// pid "master@host:port", and the master's capabilities. Pure data.

import type { MasterInfo } from '../mesos/types.js';

export const MESOS_VERSION = '1.12.0';

export function buildMasterInfo(id: string, host: string, port: number): MasterInfo {
  return {
    id,
    ip: ipv4NetworkOrder(host),
    port,
    pid: `master@${host}:${port}`,
    hostname: host,
    version: MESOS_VERSION,
    address: { hostname: host, ip: host, port },
    capabilities: [{ type: 'AGENT_UPDATE' }, { type: 'AGENT_DRAINING' }, { type: 'QUOTA_V2' }],
  };
}

/** The address bytes read as a little-endian uint32, which is how Mesos stores them. */
export function ipv4NetworkOrder(address: string): number {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return 0;
  return (parts[0]! | (parts[1]! << 8) | (parts[2]! << 16) | (parts[3]! << 24)) >>> 0;
}
