// One simulated Mesos agent: runs the tasks the master sends, turns executor
// reports into reliable status updates and answers kills, acknowledgements and
// reconciliation as slave.cpp does. It never talks to frameworks directly.

import type { Logger } from '../common/log.js';
import type { ContainerStatus, FrameworkInfo, KillPolicy, TaskInfo, TaskState, TaskStatus, TaskStatusReason } from '../mesos/types.js';
import { isTerminalTaskState } from '../mesos/types.js';
import type { AgentReport, AgentTaskReport, AgentToMasterMessage, MasterToAgentMessage } from './agentProtocol.js';
import { hasCapability } from './callValidation.js';
import { CommandExecutor } from './commandExecutor.js';
import type { Isolation } from './containerVolumes.js';
import { assertNever } from './exhaustive.js';
import { newContainerId, newStatusUuid } from './ids.js';
import type { AgentInfo } from './masterModel.js';
import { ProcesslessExecutor } from './processlessExecutor.js';
import { sandboxPath, taskEnvironment } from './sandbox.js';
import { StatusUpdateManager } from './statusUpdateManager.js';
import type { ExecutorUpdate, TaskExecutor } from './taskExecutor.js';
import { buildTaskStatus } from './taskStatus.js';

export interface AgentOptions {
  info: AgentInfo;
  /** The agent's --work_dir: WORK_DIR/agent-<index>. */
  workDir: string;
  isolation: Isolation;
  processless: boolean;
  /** Address the agent advertises (its libprocess pid is "<processId>@<host>:<port>"). */
  host: string;
  port: number;
  statusUpdateRetryMs: number;
  statusUpdateMaxRetryMs: number;
  logger: Logger;
  sendToMaster(message: AgentToMasterMessage): void;
}

type FrameworkWithId = FrameworkInfo & { id: { value: string } };

interface AgentTask {
  frameworkId: string;
  taskId: string;
  executorId: string;
  containerId: string;
  info: TaskInfo;
  framework: FrameworkWithId;
  state: TaskState;
  statuses: TaskStatus[];
  directory: string;
  executor: TaskExecutor;
  executorDone: boolean;
  /** Updates are no longer sent (the framework is being shut down). */
  silenced: boolean;
}

/** What GET /sim/tasks/{id} shows about a task. */
export interface SimTaskView {
  id: string;
  agent_id: string;
  state: TaskState;
  directory: string;
  pid: number | null;
}

const MAX_COMPLETED_TASKS = 1000;

export class SimAgent {
  private running = true;
  private readonly tasks = new Map<string, AgentTask>();
  private readonly completed: AgentTask[] = [];
  private readonly updates: StatusUpdateManager;
  private readonly log: Logger;

  constructor(private readonly options: AgentOptions) {
    this.log = options.logger.child({ component: 'agent', agentId: options.info.id });
    this.updates = new StatusUpdateManager({
      initialRetryMs: options.statusUpdateRetryMs,
      maxRetryMs: options.statusUpdateMaxRetryMs,
      send: (frameworkId, status) => this.sendUpdate(frameworkId, status),
    });
  }

  get id(): string {
    return this.options.info.id;
  }

  get info(): AgentInfo {
    return this.options.info;
  }

  receive(message: MasterToAgentMessage): void {
    if (!this.running) return;
    switch (message.kind) {
      case 'runTask':
        this.runTask(message.framework, message.task);
        return;
      case 'killTask':
        this.killTask(message.frameworkId, message.taskId, message.killPolicy);
        return;
      case 'acknowledge':
        this.acknowledge(message.frameworkId, message.taskId, message.uuid);
        return;
      case 'reconcileTasks':
        this.reconcileTasks(message.framework, message.taskIds);
        return;
      case 'shutdownFramework':
        this.shutdownFramework(message.frameworkId);
        return;
      case 'shutdownExecutor': {
        const task = this.tasks.get(key(message.frameworkId, message.executorId));
        task?.executor.kill();
        return;
      }
      default:
        assertNever(message, 'master message');
    }
  }

  /** ReregisterSlaveMessage's content: every task the agent holds, with what its update manager awaits. */
  report(): AgentReport {
    const tasks: AgentTaskReport[] = [];
    const frameworks = new Map<string, FrameworkWithId>();
    for (const task of this.tasks.values()) {
      frameworks.set(task.frameworkId, task.framework);
      const head = this.updates.head(task.frameworkId, task.taskId);
      tasks.push({
        frameworkId: task.frameworkId,
        info: task.info,
        state: task.state,
        statuses: task.statuses,
        ...(head !== undefined ? { statusUpdateState: head.state } : {}),
        ...(head?.uuid !== undefined ? { statusUpdateUuid: head.uuid } : {}),
      });
    }
    return { agentId: this.id, tasks, frameworks: [...frameworks.values()] };
  }

  /** Re-sends every update still waiting for acknowledgement (after a reconnection or resubscription). */
  resendPendingUpdates(frameworkId?: string): void {
    if (this.running) this.updates.resend(frameworkId);
  }

  /** The host dies: every task process is killed and the agent forgets everything but its sandboxes. */
  async stop(): Promise<void> {
    this.running = false;
    this.updates.clear();
    const tasks = [...this.tasks.values()];
    this.tasks.clear();
    this.completed.length = 0;
    await Promise.all(tasks.map((t) => t.executor.destroy()));
  }

  /** The host is back: the agent starts empty, keeping its id and work directory. */
  start(): void {
    this.running = true;
  }

  crashTask(taskId: string): boolean {
    for (const task of this.tasks.values()) {
      if (task.taskId === taskId && !isTerminalTaskState(task.state)) {
        task.executor.crash();
        return true;
      }
    }
    return false;
  }

  findTask(taskId: string): SimTaskView | undefined {
    let found: AgentTask | undefined;
    for (const task of this.tasks.values()) if (task.taskId === taskId) found = task;
    if (found === undefined) {
      for (let i = this.completed.length - 1; i >= 0 && found === undefined; i--) {
        if (this.completed[i]!.taskId === taskId) found = this.completed[i];
      }
    }
    if (found === undefined) return undefined;
    return { id: found.taskId, agent_id: this.id, state: found.state, directory: found.directory, pid: found.executor.pid ?? null };
  }

  private runTask(framework: FrameworkWithId, info: TaskInfo): void {
    const frameworkId = framework.id.value;
    const taskId = info.task_id.value;
    const log = this.log.child({ frameworkId, taskId });
    if (this.tasks.has(key(frameworkId, taskId))) {
      log.warn('ignoring a second launch of a task the agent already runs');
      return;
    }
    const containerId = newContainerId();
    const directory = sandboxPath({ agentWorkDir: this.options.workDir, agentId: this.id, frameworkId, executorId: taskId, containerId });
    const task: AgentTask = {
      frameworkId,
      taskId,
      executorId: taskId,
      containerId,
      info,
      framework,
      state: 'TASK_STAGING',
      statuses: [],
      directory,
      executor: undefined as unknown as TaskExecutor,
      executorDone: false,
      silenced: false,
    };
    const callbacks = {
      update: (u: ExecutorUpdate) => this.executorUpdate(task, u),
      launchFailed: (message: string) =>
        this.agentUpdate(task, 'TASK_FAILED', message, 'REASON_CONTAINER_LAUNCH_FAILED'),
      terminated: () => this.executorTerminated(task),
    };
    task.executor = this.options.processless
      ? new ProcesslessExecutor(framework, callbacks)
      : new CommandExecutor({
          task: info,
          framework,
          sandbox: directory,
          containerId,
          isolation: this.options.isolation,
          logger: log,
          callbacks,
          env: taskEnvironment({
            sandbox: directory,
            agentId: this.id,
            agentPid: `${this.options.info.processId}@${this.options.host}:${this.options.port}`,
            agentEndpoint: `${this.options.host}:${this.options.port}`,
            framework,
            task: info,
            executorId: taskId,
            containerId,
            inherited: process.env,
          }),
        });
    this.tasks.set(key(frameworkId, taskId), task);
    log.info({ containerId, directory }, 'launching task');
    task.executor.launch();
  }

  private killTask(frameworkId: string, taskId: string, killPolicy: KillPolicy | undefined): void {
    const task = this.tasks.get(key(frameworkId, taskId));
    const log = this.log.child({ frameworkId, taskId });
    if (task === undefined) {
      const framework = this.frameworkInfo(frameworkId);
      if (framework === undefined) {
        log.warn('ignoring kill of a task of a framework the agent does not run');
        return;
      }
      const state: TaskState = hasCapability(framework, 'PARTITION_AWARE') ? 'TASK_DROPPED' : 'TASK_LOST';
      this.updates.update(frameworkId, this.agentStatus(taskId, state, 'Cannot find executor', 'REASON_EXECUTOR_TERMINATED'));
      return;
    }
    if (isTerminalTaskState(task.state)) return;
    if (!task.executor.launched) {
      log.warn('killing a task before it was delivered to its executor');
      this.agentUpdate(task, 'TASK_KILLED', 'Killed before delivery to the executor', 'REASON_TASK_KILLED_DURING_LAUNCH');
      void task.executor.destroy().then(() => this.executorTerminated(task));
      return;
    }
    task.executor.kill(killPolicy);
  }

  private acknowledge(frameworkId: string, taskId: string, uuid: string): void {
    const result = this.updates.acknowledge(frameworkId, taskId, uuid);
    if (result === 'unexpected') {
      this.log.warn({ frameworkId, taskId }, 'ignoring an acknowledgement that matches no pending update');
      return;
    }
    const task = this.tasks.get(key(frameworkId, taskId));
    if (task !== undefined) this.maybeComplete(task);
  }

  /** Slave::reregistered's reconciliation: tasks the master holds that this agent does not know. */
  private reconcileTasks(framework: FrameworkWithId, taskIds: readonly string[]): void {
    const frameworkId = framework.id.value;
    const state: TaskState = hasCapability(framework, 'PARTITION_AWARE') ? 'TASK_DROPPED' : 'TASK_LOST';
    for (const taskId of taskIds) {
      if (this.tasks.has(key(frameworkId, taskId))) continue;
      this.log.warn({ frameworkId, taskId, state }, 'reconciling a task unknown to the agent');
      this.updates.update(frameworkId, this.agentStatus(taskId, state, 'Reconciliation: task unknown to the agent', 'REASON_RECONCILIATION'));
    }
  }

  private shutdownFramework(frameworkId: string): void {
    this.updates.removeFramework(frameworkId);
    for (const task of this.tasks.values()) {
      if (task.frameworkId !== frameworkId) continue;
      task.silenced = true;
      if (task.executor.launched) task.executor.kill();
      else void task.executor.destroy().then(() => this.executorTerminated(task));
    }
  }

  private executorUpdate(task: AgentTask, u: ExecutorUpdate): void {
    if (task.silenced || !this.running) return;
    const status = buildTaskStatus({
      taskId: task.taskId,
      state: u.state,
      ...(u.message !== undefined ? { message: u.message } : {}),
      source: 'SOURCE_EXECUTOR',
      ...(u.reason !== undefined ? { reason: u.reason } : {}),
      agentId: this.id,
      executorId: task.executorId,
      uuid: newStatusUuid(),
      ...(u.healthy !== undefined ? { healthy: u.healthy } : {}),
      containerStatus: this.containerStatus(task),
    });
    this.record(task, status);
  }

  /** An update the agent itself makes about one of its tasks (SOURCE_AGENT). */
  private agentUpdate(task: AgentTask, state: TaskState, message: string, reason: TaskStatusReason): void {
    if (task.silenced || !this.running) return;
    const status = buildTaskStatus({
      taskId: task.taskId,
      state,
      message,
      source: 'SOURCE_AGENT',
      reason,
      agentId: this.id,
      executorId: task.executorId,
      uuid: newStatusUuid(),
    });
    this.record(task, status);
  }

  private agentStatus(taskId: string, state: TaskState, message: string, reason: TaskStatusReason): TaskStatus {
    return buildTaskStatus({ taskId, state, message, source: 'SOURCE_AGENT', reason, agentId: this.id, uuid: newStatusUuid() });
  }

  private record(task: AgentTask, status: TaskStatus): void {
    if (isTerminalTaskState(task.state)) return;
    task.state = status.state;
    const last = task.statuses[task.statuses.length - 1];
    if (last !== undefined && last.state === status.state) task.statuses[task.statuses.length - 1] = status;
    else task.statuses.push(status);
    this.updates.update(task.frameworkId, status);
  }

  private containerStatus(task: AgentTask): ContainerStatus {
    const status: ContainerStatus = {
      container_id: { value: task.containerId },
      network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: this.options.host }] }],
    };
    if (task.executor.pid !== undefined) status.executor_pid = task.executor.pid;
    return status;
  }

  private executorTerminated(task: AgentTask): void {
    task.executorDone = true;
    this.maybeComplete(task);
  }

  /** A task leaves the agent once its executor is gone and its last update is acknowledged. */
  private maybeComplete(task: AgentTask): void {
    if (!task.executorDone) return;
    if (!task.silenced && this.updates.hasPending(task.frameworkId, task.taskId)) return;
    if (this.tasks.get(key(task.frameworkId, task.taskId)) !== task) return;
    this.tasks.delete(key(task.frameworkId, task.taskId));
    this.remember(task);
  }

  private remember(task: AgentTask): void {
    this.completed.push(task);
    if (this.completed.length > MAX_COMPLETED_TASKS) this.completed.shift();
  }

  private frameworkInfo(frameworkId: string): FrameworkWithId | undefined {
    for (const task of this.tasks.values()) if (task.frameworkId === frameworkId) return task.framework;
    return undefined;
  }

  private sendUpdate(frameworkId: string, status: TaskStatus): void {
    const task = this.tasks.get(key(frameworkId, status.task_id.value));
    this.options.sendToMaster({ kind: 'statusUpdate', frameworkId, status, latestState: task?.state ?? status.state });
  }
}

function key(frameworkId: string, taskId: string): string {
  return `${frameworkId}\n${taskId}`;
}
