// The maintenance schedule and the mode of every scheduled machine, as a Mesos
// master's registry keeps them (maintenance.cpp UpdateSchedule,
// StartMaintenance, StopMaintenance). It survives master failovers; it records
// transitions and never rescinds, offers or shuts anything down itself.

import type { MachineMode, MaintenanceSchedule } from '../mesos/operator.js';
import type { MachineID, Unavailability } from '../mesos/types.js';
import { machineKey } from './machineIds.js';

export interface ScheduledMachine {
  id: MachineID;
  mode: MachineMode;
  unavailability: Unavailability | undefined;
}

/** A machine absent from the registry is UP without unavailability. */
export class MaintenanceRegistry {
  private readonly machines = new Map<string, ScheduledMachine>();
  private current: MaintenanceSchedule | undefined;

  /** The schedule as posted (minus machines brought up since); empty when there is none. */
  schedule(): MaintenanceSchedule {
    return this.current === undefined ? {} : structuredClone(this.current);
  }

  machine(key: string): ScheduledMachine | undefined {
    return this.machines.get(key);
  }

  mode(key: string): MachineMode {
    return this.machines.get(key)?.mode ?? 'UP';
  }

  unavailability(key: string): Unavailability | undefined {
    return this.machines.get(key)?.unavailability;
  }

  /** Every scheduled machine by key. */
  entries(): ReadonlyMap<string, ScheduledMachine> {
    return this.machines;
  }

  /** Replaces the schedule: new machines start DRAINING, kept ones keep their mode, dropped ones are forgotten (UP). */
  updateSchedule(schedule: MaintenanceSchedule): void {
    const updated = new Map<string, { id: MachineID; unavailability: Unavailability }>();
    for (const window of schedule.windows ?? []) {
      for (const id of window.machine_ids ?? []) updated.set(machineKey(id), { id, unavailability: window.unavailability });
    }
    for (const key of [...this.machines.keys()]) {
      const next = updated.get(key);
      if (next === undefined) this.machines.delete(key);
      else this.machines.get(key)!.unavailability = next.unavailability;
    }
    for (const [key, { id, unavailability }] of updated) {
      if (!this.machines.has(key)) this.machines.set(key, { id, mode: 'DRAINING', unavailability });
    }
    this.current = (schedule.windows ?? []).length > 0 ? structuredClone(schedule) : undefined;
  }

  /** The machines go DOWN (callers have checked that each is DRAINING). */
  startMaintenance(ids: readonly MachineID[]): void {
    for (const id of ids) {
      const machine = this.machines.get(machineKey(id));
      if (machine !== undefined) machine.mode = 'DOWN';
    }
  }

  /** The machines are UP again and leave the schedule; windows left empty are dropped. */
  stopMaintenance(ids: readonly MachineID[]): void {
    const keys = new Set(ids.map(machineKey));
    for (const key of keys) this.machines.delete(key);
    if (this.current === undefined) return;
    const windows = (this.current.windows ?? [])
      .map((w) => ({ ...w, machine_ids: (w.machine_ids ?? []).filter((id) => !keys.has(machineKey(id))) }))
      .filter((w) => w.machine_ids.length > 0);
    this.current = windows.length > 0 ? { windows } : undefined;
  }
}
