// The messages a simulated master and its agents exchange, named after Mesos's
// internal messages (RunTaskMessage, StatusUpdateMessage, ...). Shapes only:
// master.ts and agent.ts act on them.

import type { DrainConfig, ExecutorInfo, FrameworkInfo, KillPolicy, TaskInfo, TaskState, TaskStatus } from '../mesos/types.js';

export type MasterToAgentMessage =
  | { kind: 'runTask'; framework: FrameworkInfo & { id: { value: string } }; task: TaskInfo }
  | { kind: 'killTask'; frameworkId: string; taskId: string; killPolicy?: KillPolicy }
  | { kind: 'acknowledge'; frameworkId: string; taskId: string; uuid: string }
  /** From SlaveReregisteredMessage: tasks the master holds for the agent that the agent did not report. */
  | { kind: 'reconcileTasks'; framework: FrameworkInfo & { id: { value: string } }; taskIds: string[] }
  | { kind: 'shutdownFramework'; frameworkId: string }
  | { kind: 'shutdownExecutor'; frameworkId: string; executorId: string }
  /** FrameworkToExecutorMessage: data is base64. */
  | { kind: 'frameworkMessage'; frameworkId: string; executorId: string; data: string }
  /** DrainSlaveMessage. */
  | { kind: 'drain'; config: DrainConfig }
  /** ShutdownMessage: the agent kills its executors and its process exits. */
  | { kind: 'shutdown'; message: string };

export type AgentToMasterMessage =
  | {
      kind: 'statusUpdate';
      frameworkId: string;
      status: TaskStatus;
      /** The task's newest state on the agent, which may be ahead of `status` (StatusUpdate.latest_state). */
      latestState: TaskState;
    }
  /** ExitedExecutorMessage: a custom executor ended; status is its wait status (-1 when unknown). */
  | { kind: 'exitedExecutor'; frameworkId: string; executorId: string; status: number }
  /** ExecutorToFrameworkMessage: data is base64. */
  | { kind: 'executorMessage'; frameworkId: string; executorId: string; data: string };

/** A task as an agent reports it when it (re-)registers (the Task message). */
export interface AgentTaskReport {
  frameworkId: string;
  info: TaskInfo;
  state: TaskState;
  statuses: TaskStatus[];
  statusUpdateState?: TaskState;
  statusUpdateUuid?: string;
}

/** ReregisterSlaveMessage: the agent's tasks, its custom executors and the frameworks they belong to. */
export interface AgentReport {
  agentId: string;
  tasks: AgentTaskReport[];
  executors: { frameworkId: string; info: ExecutorInfo }[];
  frameworks: (FrameworkInfo & { id: { value: string } })[];
}
