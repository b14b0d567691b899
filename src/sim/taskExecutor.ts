// The contract between an agent and what runs one task (the command executor
// and its container). Shapes only; commandExecutor.ts and
// processlessExecutor.ts implement it.

import type { KillPolicy, TaskState, TaskStatusReason } from '../mesos/types.js';

/** What the executor says in a status update; the agent adds ids, uuid, time and container status. */
export interface ExecutorUpdate {
  state: TaskState;
  message?: string;
  reason?: TaskStatusReason;
  healthy?: boolean;
}

export interface ExecutorCallbacks {
  update(update: ExecutorUpdate): void;
  /** The container could not start (fetch, volumes, isolation): the agent fails the task. */
  launchFailed(message: string): void;
  /** The executor and its container are gone after the task ended. */
  terminated(): void;
}

export interface TaskExecutor {
  /** The task process's pid once it runs (reported as the executor's pid). */
  readonly pid: number | undefined;
  /** The executor runs (it has sent TASK_STARTING); before that a kill is the agent's to answer. */
  readonly launched: boolean;
  launch(): void;
  /** KILL: the override (from the KILL call) beats the task's own kill policy. */
  kill(override?: KillPolicy): void;
  /** The task's process dies by SIGKILL, as if it crashed. */
  crash(): void;
  /** Tears everything down without a word: the agent's host died or the framework is gone. */
  destroy(): Promise<void>;
}
