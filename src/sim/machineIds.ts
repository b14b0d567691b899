// How Mesos names and compares machines (MachineID): hostname case-insensitive,
// ip exact, and a field that is absent differs from one that is empty. Pure
// functions over ids; which agents run on a machine is the master's business.

import type { MachineID } from '../mesos/types.js';

/** A key equal for exactly the MachineIDs that Mesos's operator== holds equal. */
export function machineKey(id: MachineID): string {
  const hostname = id.hostname === undefined ? '-' : `h${id.hostname.toLowerCase()}`;
  const ip = id.ip === undefined ? '-' : `i${id.ip}`;
  return `${hostname}\n${ip}`;
}

/** JSON::protobuf(id) as stout prints it, declaration order: {"hostname":...,"ip":...}. */
export function machineJson(id: MachineID): string {
  const out: MachineID = {};
  if (id.hostname !== undefined) out.hostname = id.hostname;
  if (id.ip !== undefined) out.ip = id.ip;
  return JSON.stringify(out);
}

/** operator<< for MachineID: "host (ip)", "host" or "(ip)". */
export function machineText(id: MachineID): string {
  if (id.hostname !== undefined && id.ip !== undefined) return `${id.hostname} (${id.ip})`;
  if (id.hostname !== undefined) return id.hostname;
  return `(${id.ip ?? ''})`;
}

/** The machine an agent runs on: its announced hostname and the ip of its pid. */
export function agentMachine(hostname: string, ip: string): MachineID {
  return { hostname, ip };
}
