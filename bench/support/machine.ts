// The machine a figure was measured on, printed with every benchmark so that
// recorded results carry it: cores, memory, Node version and the load when the
// run started (other work on a shared machine skews timings).

import os from 'node:os';

export interface MachineInfo {
  date: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  loadAverage: number[];
}

export function machineInfo(): MachineInfo {
  return {
    date: new Date().toISOString(),
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

export function describeMachine(m: MachineInfo = machineInfo()): string {
  return `${m.date} — ${m.cpus} vCPU, ${m.memoryGiB} GiB, Node ${m.node}, load average ${m.loadAverage.join(' ')}`;
}
