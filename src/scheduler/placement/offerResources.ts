// What is left of one offer while a round hands it out: scalar amounts and
// port ranges per resource, kept as the offer's own chunks (role, reservation,
// allocation info) so that the resources a task asks for are carved from, and
// labelled exactly like, what Mesos offered. Never invents a resource.

import type { Offer, Range, Resource } from '../../mesos/types.js';

interface ScalarChunk {
  template: Resource;
  left: number;
}

interface RangeChunk {
  template: Resource;
  left: Range[];
}

/** Mesos compares scalars with three decimal places of precision. */
const EPSILON = 0.0005;

export interface ResourceNeeds {
  cpus: number;
  mem: number;
  disk: number;
  /** exact host ports wanted (0 entries mean "any port") */
  ports: number[];
}

export class OfferResources {
  private readonly scalars = new Map<string, ScalarChunk[]>();
  private readonly ranges = new Map<string, RangeChunk[]>();

  constructor(readonly offer: Offer) {
    for (const r of offer.resources ?? []) {
      if (r.revocable !== undefined || r.disk?.persistence !== undefined || r.shared !== undefined) continue;
      if (r.type === 'SCALAR' && r.scalar) {
        const list = this.scalars.get(r.name) ?? [];
        list.push({ template: r, left: r.scalar.value });
        this.scalars.set(r.name, list);
      } else if (r.type === 'RANGES' && r.ranges) {
        const list = this.ranges.get(r.name) ?? [];
        list.push({ template: r, left: (r.ranges.range ?? []).map((x) => ({ begin: x.begin, end: x.end })) });
        this.ranges.set(r.name, list);
      }
    }
  }

  get agentId(): string {
    return this.offer.agent_id.value;
  }

  scalar(name: string): number {
    let total = 0;
    for (const c of this.scalars.get(name) ?? []) total += c.left;
    return total;
  }

  hasPort(port: number): boolean {
    return (this.ranges.get('ports') ?? []).some((c) => c.left.some((r) => r.begin <= port && port <= r.end));
  }

  freePortCount(): number {
    let n = 0;
    for (const c of this.ranges.get('ports') ?? []) for (const r of c.left) n += r.end - r.begin + 1;
    return n;
  }

  /** The first shortfall of a scalar, or undefined if all fit. */
  shortfall(needs: ResourceNeeds): { name: string; offered: number; needed: number } | undefined {
    for (const name of ['cpus', 'mem', 'disk'] as const) {
      const needed = needs[name];
      if (needed <= 0) continue;
      const offered = this.scalar(name);
      if (offered + EPSILON < needed) return { name, offered: round(offered), needed };
    }
    return undefined;
  }

  /**
   * Picks host ports: each fixed port if offered, each 0 as the lowest free
   * port not yet picked. Undefined when they cannot all be had.
   */
  pickPorts(wanted: number[]): number[] | undefined {
    const taken = new Set<number>();
    const picked: number[] = [];
    for (const p of wanted) {
      if (p !== 0) {
        if (!this.hasPort(p) || taken.has(p)) return undefined;
        taken.add(p);
        picked.push(p);
      }
    }
    const result: number[] = [];
    let fixed = 0;
    for (const p of wanted) {
      if (p !== 0) {
        result.push(picked[fixed++]!);
        continue;
      }
      const free = this.lowestFreePort(taken);
      if (free === undefined) return undefined;
      taken.add(free);
      result.push(free);
    }
    return result;
  }

  private lowestFreePort(taken: Set<number>): number | undefined {
    let best: number | undefined;
    for (const c of this.ranges.get('ports') ?? []) {
      for (const r of c.left) {
        for (let p = r.begin; p <= r.end; p++) {
          if (!taken.has(p)) {
            if (best === undefined || p < best) best = p;
            break;
          }
        }
      }
    }
    return best;
  }

  /** Removes what a task takes and returns its Resource list, labelled like the offer's chunks. */
  /**
   * Sets aside, for this round, up to `needs` of each scalar without using it
   * (what a task that will follow soon needs: no other task may count on it).
   */
  hold(needs: Omit<ResourceNeeds, 'ports'>): void {
    for (const name of ['cpus', 'mem', 'disk'] as const) {
      let want = needs[name];
      for (const chunk of this.scalars.get(name) ?? []) {
        if (want <= EPSILON) break;
        const amount = Math.min(chunk.left, want);
        chunk.left = round(chunk.left - amount);
        want = round(want - amount);
      }
    }
  }

  take(needs: ResourceNeeds, ports: number[]): Resource[] {
    const out: Resource[] = [];
    for (const name of ['cpus', 'mem', 'disk'] as const) {
      let want = needs[name];
      for (const chunk of this.scalars.get(name) ?? []) {
        if (want <= EPSILON) break;
        const amount = Math.min(chunk.left, want);
        if (amount <= 0) continue;
        chunk.left = round(chunk.left - amount);
        want = round(want - amount);
        out.push({ ...carveTemplate(chunk.template), scalar: { value: round(amount) } });
      }
      if (want > EPSILON) throw new Error(`offer ${this.offer.id.value} cannot give ${needs[name]} ${name}`);
    }
    for (const port of ports) {
      const chunk = (this.ranges.get('ports') ?? []).find((c) => c.left.some((r) => r.begin <= port && port <= r.end));
      if (!chunk) throw new Error(`offer ${this.offer.id.value} has no port ${port}`);
      chunk.left = removeFromRanges(chunk.left, port);
      const existing = out.find((r) => r.name === 'ports' && sameLabels(r, chunk.template));
      if (existing) existing.ranges!.range!.push({ begin: port, end: port });
      else out.push({ ...carveTemplate(chunk.template), ranges: { range: [{ begin: port, end: port }] } });
    }
    return out;
  }
}

function carveTemplate(r: Resource): Resource {
  const copy: Resource = { name: r.name, type: r.type };
  if (r.role !== undefined) copy.role = r.role;
  if (r.allocation_info !== undefined) copy.allocation_info = r.allocation_info;
  if (r.reservation !== undefined) copy.reservation = r.reservation;
  if (r.reservations !== undefined) copy.reservations = r.reservations;
  if (r.provider_id !== undefined) copy.provider_id = r.provider_id;
  return copy;
}

function sameLabels(a: Resource, b: Resource): boolean {
  return JSON.stringify(carveTemplate({ ...a, ranges: undefined })) === JSON.stringify(carveTemplate({ ...b, ranges: undefined }));
}

function removeFromRanges(ranges: Range[], port: number): Range[] {
  const out: Range[] = [];
  for (const r of ranges) {
    if (port < r.begin || port > r.end) out.push(r);
    else {
      if (r.begin < port) out.push({ begin: r.begin, end: port - 1 });
      if (port < r.end) out.push({ begin: port + 1, end: r.end });
    }
  }
  return out;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
