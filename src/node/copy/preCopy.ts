// Pre-copy while the task still runs: a full first round, then delta rounds
// for as long as each moves less than the one before (the task's writes are
// being caught up with), stopping when the delta is small, stops shrinking,
// or a round limit is hit. The final round, after the task stopped, is the
// caller's: it is the only one whose time is downtime.

import { runSender, type SenderOptions, type SendRoundStats } from './sender.js';

export interface PreCopyOptions extends Omit<SenderOptions, 'final'> {
  maxRounds?: number;
  /** a round that sent at most this many bytes is small enough to stop after */
  settleBytes?: number;
}

export type PreCopyStop = 'settled' | 'not-shrinking' | 'max-rounds';

export interface PreCopyResult {
  rounds: SendRoundStats[];
  stoppedBecause: PreCopyStop;
}

export const DEFAULT_MAX_PRE_COPY_ROUNDS = 8;
export const DEFAULT_SETTLE_BYTES = 4 * 1024 * 1024;

/** What a round found changed: the block data it had to send. */
export function roundDelta(stats: SendRoundStats): number {
  return stats.bytesSent;
}

export async function runPreCopy(options: PreCopyOptions): Promise<PreCopyResult> {
  const maxRounds = options.maxRounds ?? DEFAULT_MAX_PRE_COPY_ROUNDS;
  const settleBytes = options.settleBytes ?? DEFAULT_SETTLE_BYTES;
  const rounds: SendRoundStats[] = [];
  for (;;) {
    const stats = await runSender({ ...options, final: false });
    rounds.push(stats);
    const delta = roundDelta(stats);
    const previous = rounds.at(-2);
    if (rounds.length > 1 && delta <= settleBytes) return { rounds, stoppedBecause: 'settled' };
    if (previous !== undefined && delta >= roundDelta(previous)) return { rounds, stoppedBecause: 'not-shrinking' };
    if (rounds.length >= maxRounds) return { rounds, stoppedBecause: 'max-rounds' };
  }
}
