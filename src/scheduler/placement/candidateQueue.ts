// Ranking of offers for instances that may go anywhere: agents running the
// fewest Ferry tasks first (spreading datasets), rotating among equals. Kept
// in load buckets so a round of thousands of launches stays near-linear.

import type { Candidate, PlacementContext } from './launchNeed.js';

export class CandidateQueue {
  private readonly buckets = new Map<number, Candidate[]>();
  private loads: number[] = [];
  private rotation = 0;

  constructor(candidates: Candidate[], private readonly context: PlacementContext) {
    for (const c of candidates) this.insert(c, context.load(c.agent.id));
  }

  /** Candidates in rank order; the caller stops at the first that fits. */
  *inOrder(): Generator<Candidate> {
    for (const load of [...this.loads]) {
      const bucket = this.buckets.get(load);
      if (!bucket || bucket.length === 0) continue;
      const start = this.rotation++ % bucket.length;
      for (let i = 0; i < bucket.length; i++) yield bucket[(start + i) % bucket.length]!;
    }
  }

  /** After a candidate took a task its agent is busier: it moves down the ranking. */
  took(candidate: Candidate): void {
    const load = this.context.load(candidate.agent.id);
    this.remove(candidate, load - 1);
    this.insert(candidate, load);
  }

  private insert(c: Candidate, load: number): void {
    let bucket = this.buckets.get(load);
    if (!bucket) {
      this.buckets.set(load, (bucket = []));
      this.loads.push(load);
      this.loads.sort((a, b) => a - b);
    }
    bucket.push(c);
  }

  private remove(c: Candidate, load: number): void {
    const bucket = this.buckets.get(load);
    if (!bucket) return;
    const i = bucket.indexOf(c);
    if (i >= 0) bucket.splice(i, 1);
  }
}
