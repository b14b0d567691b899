// Task reconciliation as Mesos's reconciliation guide describes it: after
// every (re)subscription, ask about every task Ferry believes live, by id and
// agent; ask again with growing intervals about those not yet answered; and
// ask implicitly (an empty RECONCILE) every so often to hear of tasks Ferry
// does not know. Time is given by the caller; this class holds no timers.

import { isLive } from './liveness.js';
import type { MesosAction } from './plan.js';
import type { SchedulerConfig } from './schedulerConfig.js';
import type { World } from './world.js';

export class Reconciler {
  /** taskId → agentId of tasks asked about and not yet answered */
  private readonly unanswered = new Map<string, string>();
  /** launched tasks not yet heard of: taskId → agentId and when to start asking */
  private readonly launches = new Map<string, { agentId: string; askAt: number }>();
  private intervalMs = 0;
  private nextExplicitAt = Infinity;
  private nextImplicitAt = Infinity;

  constructor(private readonly config: SchedulerConfig) {}

  /** Just (re)subscribed: ask about every live task, then keep asking until answered. */
  subscribed(world: World, now: number): MesosAction[] {
    this.unanswered.clear();
    for (const task of world.tasks.values()) {
      if (isLive(task)) this.unanswered.set(task.taskId, task.agentId);
    }
    this.intervalMs = this.config.reconcileInitialSeconds * 1000;
    this.nextExplicitAt = now + this.intervalMs;
    this.nextImplicitAt = now + this.config.implicitReconcileSeconds * 1000;
    return this.explicitRequest();
  }

  /** Any update about a task counts as an answer, unless Mesos says it does not know (TASK_UNKNOWN). */
  answered(taskId: string, state: string): void {
    this.launches.delete(taskId);
    if (state !== 'TASK_UNKNOWN') this.unanswered.delete(taskId);
  }

  /**
   * A task was just launched: if Mesos says nothing of it for a while (the
   * ACCEPT was lost, the offer vanished), start asking about it.
   */
  launched(taskId: string, agentId: string, now: number): void {
    this.launches.set(taskId, { agentId, askAt: now + this.config.reconcileInitialSeconds * 2000 });
  }

  /** A task Ferry stopped tracking needs no answer. */
  forget(taskId: string): void {
    this.unanswered.delete(taskId);
    this.launches.delete(taskId);
  }

  get outstanding(): number {
    return this.unanswered.size;
  }

  /** Called on every clock tick: the calls due now. */
  tick(now: number): MesosAction[] {
    const actions: MesosAction[] = [];
    for (const [taskId, launch] of this.launches) {
      if (now < launch.askAt) continue;
      this.launches.delete(taskId);
      if (!this.unanswered.has(taskId)) {
        if (this.unanswered.size === 0) {
          this.intervalMs = this.config.reconcileInitialSeconds * 1000;
          this.nextExplicitAt = now;
        }
        this.unanswered.set(taskId, launch.agentId);
      }
    }
    if (this.unanswered.size > 0 && now >= this.nextExplicitAt) {
      actions.push(...this.explicitRequest());
      this.intervalMs = Math.min(this.intervalMs * 2, this.config.reconcileMaxSeconds * 1000);
      this.nextExplicitAt = now + this.intervalMs;
    }
    if (now >= this.nextImplicitAt) {
      actions.push({ type: 'RECONCILE', tasks: [] });
      this.nextImplicitAt = now + this.config.implicitReconcileSeconds * 1000;
    }
    return actions;
  }

  private explicitRequest(): MesosAction[] {
    if (this.unanswered.size === 0) return [];
    return [{ type: 'RECONCILE', tasks: [...this.unanswered].map(([taskId, agentId]) => ({ taskId, agentId })) }];
  }
}
