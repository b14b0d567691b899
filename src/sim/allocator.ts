// Picks which framework is offered each agent's free resources, as Mesos's
// hierarchical allocator does (DRF order, refusal filters, suppression, minimum
// allocatable). It holds no offers and sends nothing; the master makes offers.

import { Resources } from './resources.js';

export interface AllocatableAgent {
  id: string;
  /** Unreserved resources neither used by tasks nor already offered. */
  available: Resources;
}

export interface AllocatableFramework {
  id: string;
  roles: readonly string[];
  /** Resources the framework already holds (tasks and outstanding offers). */
  allocated: Resources;
}

export interface Allocation {
  frameworkId: string;
  agentId: string;
  role: string;
  resources: Resources;
}

interface RefusalFilter {
  resources: Resources;
  expiresAt: number;
}

interface FrameworkAllocationState {
  suppressedRoles: Set<string>;
  filters: Map<string, RefusalFilter[]>;
}

const DEFAULT_REFUSE_SECONDS = 5;
const MAX_REFUSE_SECONDS = 365 * 24 * 3600;
const MIN_ALLOCATABLE_CPUS = 0.01;
const MIN_ALLOCATABLE_MEM = 32;

/**
 * Agents are visited in random order; each goes whole to the framework with the
 * lowest dominant share that has an unsuppressed role and no refusal filter
 * covering the agent's free resources. Filters last refuse_seconds, but at
 * least one allocation interval; agents with less than cpus 0.01 and mem 32
 * free are not offered.
 */
export class Allocator {
  private readonly frameworks = new Map<string, FrameworkAllocationState>();

  constructor(private readonly allocationIntervalMs: number) {}

  addFramework(frameworkId: string, suppressedRoles: readonly string[] = []): void {
    const existing = this.frameworks.get(frameworkId);
    if (existing !== undefined) {
      existing.suppressedRoles = new Set(suppressedRoles);
      return;
    }
    this.frameworks.set(frameworkId, { suppressedRoles: new Set(suppressedRoles), filters: new Map() });
  }

  removeFramework(frameworkId: string): void {
    this.frameworks.delete(frameworkId);
  }

  /** SUPPRESS: no more offers for these roles (all of the framework's roles when none are named). */
  suppress(frameworkId: string, roles: readonly string[]): void {
    const state = this.frameworks.get(frameworkId);
    if (state === undefined) return;
    for (const role of roles) state.suppressedRoles.add(role);
  }

  /** REVIVE: unsuppress the roles and drop every refusal filter of the framework. */
  revive(frameworkId: string, roles: readonly string[]): void {
    const state = this.frameworks.get(frameworkId);
    if (state === undefined) return;
    for (const role of roles) state.suppressedRoles.delete(role);
    state.filters.clear();
  }

  /**
   * Records resources a framework turned down on an agent. A missing or negative
   * refuse_seconds means Mesos's default of 5 s; 0 means no filter.
   */
  refuse(frameworkId: string, agentId: string, resources: Resources, refuseSeconds: number | undefined, now: number): void {
    const state = this.frameworks.get(frameworkId);
    if (state === undefined || resources.isEmpty()) return;
    let seconds = refuseSeconds ?? DEFAULT_REFUSE_SECONDS;
    if (!Number.isFinite(seconds) || seconds < 0) seconds = DEFAULT_REFUSE_SECONDS;
    if (seconds > MAX_REFUSE_SECONDS) seconds = MAX_REFUSE_SECONDS;
    if (seconds === 0) return;
    const expiresAt = now + Math.max(seconds * 1000, this.allocationIntervalMs);
    const list = state.filters.get(agentId) ?? [];
    list.push({ resources, expiresAt });
    state.filters.set(agentId, list);
  }

  allocate(agents: readonly AllocatableAgent[], frameworks: readonly AllocatableFramework[], now: number): Allocation[] {
    if (frameworks.length === 0) return [];
    const total = agents.reduce((sum, a) => sum.plus(a.available), Resources.EMPTY);
    const totals = {
      cpus: total.scalar('cpus') + frameworks.reduce((s, f) => s + f.allocated.scalar('cpus'), 0),
      mem: total.scalar('mem') + frameworks.reduce((s, f) => s + f.allocated.scalar('mem'), 0),
      disk: total.scalar('disk') + frameworks.reduce((s, f) => s + f.allocated.scalar('disk'), 0),
    };
    const held = new Map(frameworks.map((f) => [f.id, { cpus: f.allocated.scalar('cpus'), mem: f.allocated.scalar('mem'), disk: f.allocated.scalar('disk') }]));
    const share = (id: string): number => {
      const h = held.get(id)!;
      return Math.max(ratio(h.cpus, totals.cpus), ratio(h.mem, totals.mem), ratio(h.disk, totals.disk));
    };

    const allocations: Allocation[] = [];
    for (const agent of shuffled(agents)) {
      if (!isAllocatable(agent.available)) continue;
      const ordered = [...frameworks].sort((a, b) => share(a.id) - share(b.id));
      for (const framework of ordered) {
        const state = this.frameworks.get(framework.id);
        if (state === undefined) continue;
        const role = framework.roles.find((r) => !state.suppressedRoles.has(r));
        if (role === undefined) continue;
        if (this.isFiltered(state, agent.id, agent.available, now)) continue;
        allocations.push({ frameworkId: framework.id, agentId: agent.id, role, resources: agent.available });
        const h = held.get(framework.id)!;
        h.cpus += agent.available.scalar('cpus');
        h.mem += agent.available.scalar('mem');
        h.disk += agent.available.scalar('disk');
        break;
      }
    }
    return allocations;
  }

  private isFiltered(state: FrameworkAllocationState, agentId: string, available: Resources, now: number): boolean {
    const list = state.filters.get(agentId);
    if (list === undefined) return false;
    const live = list.filter((f) => f.expiresAt > now);
    if (live.length === 0) state.filters.delete(agentId);
    else if (live.length !== list.length) state.filters.set(agentId, live);
    return live.some((f) => f.resources.contains(available));
  }
}

function isAllocatable(resources: Resources): boolean {
  return resources.scalar('cpus') >= MIN_ALLOCATABLE_CPUS || resources.scalar('mem') >= MIN_ALLOCATABLE_MEM;
}

function ratio(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
