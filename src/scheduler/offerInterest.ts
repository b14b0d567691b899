// Whether Ferry wants offers: REVIVE (rate-limited) the moment an instance
// newly needs a launch, which also clears the refuse filters of earlier
// declines; SUPPRESS when nothing waits, so an idle Ferry costs the master
// nothing. Holds the little memory this needs; time is given.

import { agentsNeedingNodeExecutors } from '../moves/moveMachine.js';
import { pendingSituations } from './instanceSituation.js';
import type { MesosAction } from './plan.js';
import type { SchedulerConfig } from './schedulerConfig.js';
import type { World } from './world.js';

/** How long a new subscription keeps offers coming before it may suppress them. */
const LEARN_AGENTS_MS = 10_000;

export class OfferInterest {
  private suppressed = false;
  private lastReviveAt = -Infinity;
  private known = new Set<string>();
  private reviveOwed = false;
  /** until then offers keep coming even with nothing to launch: a new subscription learns the agents first */
  private openUntil = 0;

  constructor(private readonly config: SchedulerConfig) {}

  /** A new subscription starts with offers flowing (it revives) and keeps them a while to learn the agents. */
  reset(now = 0): void {
    this.suppressed = false;
    this.known = new Set();
    this.reviveOwed = false;
    this.lastReviveAt = now;
    this.openUntil = now + LEARN_AGENTS_MS;
  }

  /**
   * When a revive that is owed but held back by the minimum interval may go
   * out; undefined when none is owed. The caller decides again then, rather
   * than leaving the revive to whatever event comes next.
   */
  owedReviveAt(): number | undefined {
    return this.reviveOwed ? this.lastReviveAt + this.config.reviveMinIntervalSeconds * 1000 : undefined;
  }

  /** Asks for a revive at the next chance (e.g. a move wants its destination's offer now). */
  requestRevive(): void {
    this.reviveOwed = true;
  }

  decide(world: World, now: number): MesosAction[] {
    const needs = new Set<string>();
    for (const { key, situation } of pendingSituations(world, now)) {
      if (situation.kind === 'needsLaunch') needs.add(key);
    }
    // moves wait for node executors, which need offers from their agents
    for (const agentId of agentsNeedingNodeExecutors(world)) {
      if (world.nodeTaskOn(agentId) === undefined) needs.add(`node:${agentId}`);
    }
    let fresh = false;
    for (const key of needs) if (!this.known.has(key)) fresh = true;
    this.known = needs;
    if (fresh) this.reviveOwed = true;

    if (needs.size === 0 && !this.reviveOwed) {
      if (this.suppressed || now < this.openUntil) return [];
      this.suppressed = true;
      return [{ type: 'SUPPRESS' }];
    }
    // while something waits, revive again now and then: a REVIVE can be overtaken by an older DECLINE's
    // filter, or lost in a master failover, and an instance must not starve behind a refuse filter
    if (needs.size > 0 && now - this.lastReviveAt >= this.config.reviveRepeatSeconds * 1000) this.reviveOwed = true;
    if ((this.reviveOwed || this.suppressed) && now - this.lastReviveAt >= this.config.reviveMinIntervalSeconds * 1000) {
      this.reviveOwed = false;
      this.suppressed = false;
      this.lastReviveAt = now;
      return [{ type: 'REVIVE' }];
    }
    return [];
  }
}
