// Finds the leading Mesos master. Two kinds: a static list of addresses
// (rotated through when one fails) and ZooKeeper (zk://, watching the
// json.info_ nodes Mesos masters register). A detector only says where the
// leader is; it never talks to a master itself.

import type { EventEmitter } from 'node:events';
import type { Logger } from '../common/log.js';
import { parseMasterSpec, type MasterAddress } from './masterAddress.js';
import { StaticMasterDetector } from './staticMasterDetector.js';
import { ZkMasterDetector } from './zkMasterDetector.js';

export interface MasterDetectorEvents {
  /** the leading master changed; undefined while there is none */
  change: [MasterAddress | undefined];
}

export interface MasterDetector extends EventEmitter<MasterDetectorEvents> {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** the leader as last known, if any */
  current(): MasterAddress | undefined;
  /** resolves with the leader once one is known */
  leader(): Promise<MasterAddress>;
  /** the given master did not answer; a static list moves on to its next address */
  reportFailure(master: MasterAddress): void;
  /** a human-readable description for logs */
  describe(): string;
}

export function createMasterDetector(spec: string, logger: Logger): MasterDetector {
  const parsed = parseMasterSpec(spec);
  return parsed.kind === 'zk' ? new ZkMasterDetector(parsed.url, logger) : new StaticMasterDetector(parsed.masters);
}
