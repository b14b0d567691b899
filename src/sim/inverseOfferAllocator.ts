// Decides which frameworks get inverse offers for agents with a planned
// unavailability, as the hierarchical allocator does for maintenance
// (generateInverseOffers, updateInverseOffer, inverse offer filters). It keeps
// the frameworks' answers for /maintenance/status and sends nothing itself.

import type { InverseOfferStatus } from '../mesos/operator.js';
import type { Unavailability } from '../mesos/types.js';

interface AgentMaintenance {
  unavailability: Unavailability;
  /** Frameworks holding an inverse offer for the agent that they have not answered. */
  outstanding: Set<string>;
  /** Each framework's latest answer. */
  statuses: Map<string, InverseOfferStatus>;
}

/** What the allocator needs to know of an agent in an allocation round. */
export interface InverseOfferCandidate {
  agentId: string;
  /** Active frameworks with resources offered or allocated on the agent. */
  frameworkIds: readonly string[];
}

const DEFAULT_REFUSE_SECONDS = 5;
const MAX_REFUSE_SECONDS = 365 * 24 * 3600;

/**
 * A framework is sent one inverse offer per agent at a time. Answering it (or
 * its rescission) clears that; an answer with filters holds the next one back
 * for refuse_seconds (5 s by default). A new unavailability for an agent drops
 * every framework's filters for it.
 */
export class InverseOfferAllocator {
  private readonly agents = new Map<string, AgentMaintenance>();
  /** frameworkId -> agentId -> expiry times (ms) of refusal filters. */
  private readonly filters = new Map<string, Map<string, number[]>>();

  /** An agent joins (or changes its) maintenance; undefined takes it out. */
  updateUnavailability(agentId: string, unavailability: Unavailability | undefined): void {
    for (const byAgent of this.filters.values()) byAgent.delete(agentId);
    if (unavailability === undefined) this.agents.delete(agentId);
    else this.agents.set(agentId, { unavailability, outstanding: new Set(), statuses: new Map() });
  }

  removeAgent(agentId: string): void {
    this.agents.delete(agentId);
    for (const byAgent of this.filters.values()) byAgent.delete(agentId);
  }

  /** Deactivation, removal or REVIVE of a framework: its inverse offer filters are gone. */
  clearFilters(frameworkId: string): void {
    this.filters.delete(frameworkId);
  }

  hasMaintenance(agentId: string): boolean {
    return this.agents.has(agentId);
  }

  /**
   * An inverse offer ended: answered (status set), rescinded or timed out
   * (status undefined). Only an outstanding one changes the recorded answer;
   * filters apply whenever given.
   */
  updateInverseOffer(agentId: string, frameworkId: string, status: InverseOfferStatus | undefined, refuseSeconds: number | undefined, now: number): void {
    const maintenance = this.agents.get(agentId);
    if (maintenance === undefined) return;
    if (maintenance.outstanding.delete(frameworkId) && status !== undefined) maintenance.statuses.set(frameworkId, status);
    if (refuseSeconds === undefined) return;
    let seconds = refuseSeconds;
    if (!Number.isFinite(seconds) || seconds < 0) seconds = DEFAULT_REFUSE_SECONDS;
    if (seconds > MAX_REFUSE_SECONDS) seconds = MAX_REFUSE_SECONDS;
    if (seconds === 0) return;
    let byAgent = this.filters.get(frameworkId);
    if (byAgent === undefined) this.filters.set(frameworkId, (byAgent = new Map()));
    const list = byAgent.get(agentId) ?? [];
    list.push(now + seconds * 1000);
    byAgent.set(agentId, list);
  }

  /** The inverse offers to make now: frameworkId -> agentId -> unavailability; they become outstanding. */
  generate(candidates: readonly InverseOfferCandidate[], now: number): Map<string, Map<string, Unavailability>> {
    const out = new Map<string, Map<string, Unavailability>>();
    for (const { agentId, frameworkIds } of candidates) {
      const maintenance = this.agents.get(agentId);
      if (maintenance === undefined) continue;
      for (const frameworkId of frameworkIds) {
        if (maintenance.outstanding.has(frameworkId) || this.isFiltered(frameworkId, agentId, now)) continue;
        let byAgent = out.get(frameworkId);
        if (byAgent === undefined) out.set(frameworkId, (byAgent = new Map()));
        byAgent.set(agentId, maintenance.unavailability);
        maintenance.outstanding.add(frameworkId);
      }
    }
    return out;
  }

  /** The frameworks' latest answers per agent in maintenance. */
  statuses(agentId: string): InverseOfferStatus[] {
    return [...(this.agents.get(agentId)?.statuses.values() ?? [])];
  }

  private isFiltered(frameworkId: string, agentId: string, now: number): boolean {
    const byAgent = this.filters.get(frameworkId);
    const list = byAgent?.get(agentId);
    if (byAgent === undefined || list === undefined) return false;
    const live = list.filter((expiresAt) => expiresAt > now);
    if (live.length === 0) byAgent.delete(agentId);
    else byAgent.set(agentId, live);
    return live.length > 0;
  }
}
