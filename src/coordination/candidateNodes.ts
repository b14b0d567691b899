// The candidates' ephemeral sequential znodes under <root>/leader: their
// names (session id in the prefix, so a create whose reply was lost can be
// found again), their order (lowest sequence leads) and their JSON data.
// Never decides who leads beyond "lowest sequence first".

import { CorruptStateError } from '../state/stateStore.js';
import { parseCandidateInfo, type CandidateInfo } from './leadership.js';

const NAME = /^candidate-([0-9a-zA-Z]+)-(\d{10,})$/;
const CANDIDATE_SCHEMA = 1;

export function candidateNamePrefix(sessionId: string): string {
  return `candidate-${sessionId.replace(/[^0-9a-zA-Z]/g, '')}-`;
}

/** Candidate node names in election order (lowest sequence first); other children are ignored. */
export function orderCandidates(children: readonly string[]): string[] {
  const candidates: { name: string; seq: number }[] = [];
  for (const name of children) {
    const m = NAME.exec(name);
    if (m) candidates.push({ name, seq: Number(m[2]) });
  }
  return candidates.sort((a, b) => a.seq - b.seq).map((c) => c.name);
}

export function encodeCandidate(info: CandidateInfo): string {
  return JSON.stringify({ ferry: CANDIDATE_SCHEMA, ...info });
}

export function decodeCandidate(location: string, data: Buffer): CandidateInfo {
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new CorruptStateError(location, `candidate data is not valid JSON (${(err as Error).message})`);
  }
  const schema = (value as { ferry?: unknown } | null)?.ferry;
  if (typeof schema === 'number' && schema > CANDIDATE_SCHEMA) {
    throw new CorruptStateError(location, `candidate data has schema ${schema}, written by a newer Ferry; this Ferry reads schema ${CANDIDATE_SCHEMA}`);
  }
  const info = parseCandidateInfo(value);
  if (info === undefined) throw new CorruptStateError(location, 'candidate data lacks id, api, hostname, pid, version or startedAt');
  return info;
}
