// Waits for a ZooKeeper session's link to come back after a drop, so that an
// operation whose outcome was lost can be checked on the same session. It
// never opens a new session: an ended session stays ended.

import type { ZkClient, ZkSessionState } from './zkClient.js';

export type LinkOutcome = 'connected' | 'ended' | 'timeout';

export function untilConnected(zk: ZkClient, timeoutMs: number): Promise<LinkOutcome> {
  const now = outcomeOf(zk.state);
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve) => {
    const done = (outcome: LinkOutcome): void => {
      clearTimeout(timer);
      zk.off('state', onState);
      resolve(outcome);
    };
    const onState = (state: ZkSessionState): void => {
      const outcome = outcomeOf(state);
      if (outcome !== undefined) done(outcome);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    zk.on('state', onState);
  });
}

function outcomeOf(state: ZkSessionState): LinkOutcome | undefined {
  if (state === 'connected') return 'connected';
  if (state === 'expired' || state === 'closed') return 'ended';
  return undefined;
}
