// Where a Ferry framework lives in ZooKeeper: the ensemble and credentials
// from `--zk zk://HOSTS/PATH` (root /ferry when no path is given) and the
// well-known nodes under that root that leadership owns. Never opens a session.

import { parseZkUrl } from './zkClient.js';

export const DEFAULT_ZK_ROOT = '/ferry';

export interface ZkLocation {
  /** host:port[,host:port...] */
  servers: string;
  /** the framework's root znode, e.g. /ferry */
  root: string;
  digestAuth?: string;
  /** zk://servers/root without credentials, for logs and describe() */
  display: string;
}

export function parseZkLocation(url: string): ZkLocation {
  const parsed = parseZkUrl(url);
  const root = parsed.path === '/' ? DEFAULT_ZK_ROOT : parsed.path;
  const location: ZkLocation = { servers: parsed.servers, root, display: `zk://${parsed.servers}${root}` };
  if (parsed.digestAuth !== undefined) location.digestAuth = parsed.digestAuth;
  return location;
}

/** The parent of the candidates' ephemeral sequential nodes. */
export function candidatesPath(root: string): string {
  return `${root}/leader`;
}

/** The leader epoch counter, bumped by every leader as it takes office. */
export function epochPath(root: string): string {
  return `${root}/epoch`;
}
