// The master's checks on maintenance requests (master/maintenance.cpp
// validation::schedule, machines, machine, unavailability), in upstream's order
// and words. Pure: an error message or undefined; nothing is changed.

import { isIPv4 } from 'node:net';
import type { MaintenanceSchedule, MachineMode } from '../mesos/operator.js';
import type { MachineID, Unavailability } from '../mesos/types.js';
import { machineJson, machineKey } from './machineIds.js';

/** A schedule may only move machines between UP and DRAINING: every DOWN machine must stay in it. */
export function validateSchedule(schedule: MaintenanceSchedule, modes: ReadonlyMap<string, { id: MachineID; mode: MachineMode }>): string | undefined {
  const updated = new Set<string>();
  for (const window of schedule.windows ?? []) {
    const ids = window.machine_ids ?? [];
    if (ids.length === 0) return 'List of machines in the maintenance window is empty';
    const unavailable = validateUnavailability(window.unavailability);
    if (unavailable !== undefined) return unavailable;
    for (const id of ids) {
      const invalid = validateMachine(id);
      if (invalid !== undefined) return invalid;
      const key = machineKey(id);
      if (updated.has(key)) return `Machine '${machineJson(id)}' appears more than once in the schedule`;
      updated.add(key);
    }
  }
  for (const [key, machine] of modes) {
    if (machine.mode === 'DOWN' && !updated.has(key)) {
      return `Machine '${machineJson(machine.id)}' is deactivated and cannot be removed from the schedule`;
    }
  }
  return undefined;
}

export function validateUnavailability(unavailability: Unavailability): string | undefined {
  if ((unavailability.duration?.nanoseconds ?? 0) < 0) return "Unavailability 'duration' is negative";
  return undefined;
}

/** The machine list of /machine/down, /machine/up, START_ and STOP_MAINTENANCE. */
export function validateMachines(ids: readonly MachineID[]): string | undefined {
  if (ids.length === 0) return 'List of machines is empty';
  const seen = new Set<string>();
  for (const id of ids) {
    const invalid = validateMachine(id);
    if (invalid !== undefined) return invalid;
    const key = machineKey(id);
    if (seen.has(key)) return `Machine '${machineJson(id)}' appears more than once in the schedule`;
    seen.add(key);
  }
  return undefined;
}

export function validateMachine(id: MachineID): string | undefined {
  if ((id.hostname ?? '') === '' && (id.ip ?? '') === '') return "Both 'hostname' and 'ip' for a machine are empty";
  if (id.ip !== undefined && id.ip !== '' && !isIPv4(id.ip)) return `Failed to parse IPv4: ${id.ip}`;
  return undefined;
}
