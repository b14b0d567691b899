// The leader epoch counter in ZooKeeper (<root>/epoch): a leader taking office
// increments it with a write conditional on the version it read, so every
// term gets its own epoch, strictly greater than all before it. Never
// overwrites the counter unconditionally and never reuses a value.

import { encodeEnvelope, openEnvelope, parseStoredJson } from '../state/recordEnvelope.js';
import { CorruptStateError } from '../state/stateStore.js';
import { isZkError, type ZkClient } from './zkClient.js';
import { epochPath } from './zkLocation.js';

export interface EpochRecord {
  /** the candidate id of the leader that took this epoch */
  leaderId: string;
  /** ISO-8601 */
  takenAt: string;
}

/** The stored epoch and its znode version; epoch 0 and version -1 when no leader ever took office. */
export async function readEpoch(zk: ZkClient, root: string): Promise<{ epoch: number; version: number; record?: EpochRecord }> {
  const path = epochPath(root);
  let got;
  try {
    got = await zk.get(path);
  } catch (err) {
    if (isZkError(err, 'NONODE')) return { epoch: 0, version: -1 };
    throw err;
  }
  const { epoch, record } = openEnvelope(path, parseStoredJson(path, got.data), 'epoch');
  const r = record as Partial<EpochRecord> | null;
  if (typeof r !== 'object' || r === null || typeof r.leaderId !== 'string' || typeof r.takenAt !== 'string') {
    throw new CorruptStateError(path, 'the epoch record has no "leaderId" and "takenAt"');
  }
  return { epoch, version: got.stat.version, record: { leaderId: r.leaderId, takenAt: r.takenAt } };
}

/**
 * Takes the next epoch for `leaderId`. Rejects with ZkError BADVERSION or
 * NODEEXISTS when another writer changed the counter between the read and
 * the write: the caller must re-check that it still leads before retrying.
 */
export async function takeNextEpoch(zk: ZkClient, root: string, leaderId: string, now: Date = new Date()): Promise<number> {
  const path = epochPath(root);
  const current = await readEpoch(zk, root);
  const epoch = current.epoch + 1;
  const data = JSON.stringify(encodeEnvelope('epoch', epoch, { leaderId, takenAt: now.toISOString() } satisfies EpochRecord));
  if (current.version < 0) await zk.create(path, data, 'persistent');
  else await zk.set(path, data, current.version);
  return epoch;
}
