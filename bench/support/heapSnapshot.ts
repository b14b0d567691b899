// Reads a V8 .heapsnapshot (node --heapsnapshot-signal) and says what the
// heap holds: shallow size by node type and constructor name. Shallow sizes
// only (no dominator tree): enough to see which kind of object fills memory.

import { readFileSync } from 'node:fs';

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] }; node_count: number };
  nodes: number[];
  strings: string[];
}

export interface HeapGroup {
  name: string;
  count: number;
  mib: number;
  share: number;
}

export interface HeapSummary {
  totalMiB: number;
  nodes: number;
  groups: HeapGroup[];
}

export function summarizeHeapSnapshot(file: string, top = 20): HeapSummary {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshotFile;
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = snap.snapshot.meta.node_types[0];
  const groups = new Map<string, { count: number; bytes: number }>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt]!] ?? '?';
    const size = snap.nodes[i + sizeAt]!;
    total += size;
    // objects and closures by constructor name; strings, arrays, code and the rest by type
    const key = type === 'object' || type === 'closure' ? `${type} ${snap.strings[snap.nodes[i + nameAt]!]}` : `(${type})`;
    const g = groups.get(key) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += size;
    groups.set(key, g);
  }
  const mib = (b: number): number => Math.round((b / 1024 / 1024) * 10) / 10;
  return {
    totalMiB: mib(total),
    nodes: snap.nodes.length / width,
    groups: [...groups]
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .slice(0, top)
      .map(([name, g]) => ({ name, count: g.count, mib: mib(g.bytes), share: Math.round((g.bytes / total) * 1000) / 10 })),
  };
}
