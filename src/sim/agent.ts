// One simulated Mesos agent as slave.cpp runs one: tasks under command or custom
// executors, reliable status updates, kills, acknowledgements, reconciliation,
// draining and shutdown. It never talks to frameworks directly.

import type { Logger } from '../common/log.js';
import type { ExecutorCall, ExecutorEvent, ExecutorSubscribeCall } from '../mesos/executorTypes.js';
import type { AgentInfoMessage } from '../mesos/operator.js';
import type {
  ContainerStatus,
  DrainConfig,
  ExecutorInfo,
  FrameworkInfo,
  KillPolicy,
  TaskInfo,
  TaskState,
  TaskStatus,
  TaskStatusReason,
} from '../mesos/types.js';
import { isTerminalTaskState } from '../mesos/types.js';
import type { AgentReport, AgentTaskReport, AgentToMasterMessage, MasterToAgentMessage } from './agentProtocol.js';
import { hasCapability } from './callValidation.js';
import { CommandExecutor } from './commandExecutor.js';
import type { Isolation } from './containerVolumes.js';
import { CustomExecutor, type ExecutorTermination } from './customExecutor.js';
import type { EventStream } from './eventStream.js';
import { assertNever } from './exhaustive.js';
import { newContainerId, newStatusUuid } from './ids.js';
import type { AgentInfo } from './masterModel.js';
import { ProcesslessExecutor } from './processlessExecutor.js';
import { executorEnvironment, sandboxPath, taskEnvironment } from './sandbox.js';
import { StatusUpdateManager } from './statusUpdateManager.js';
import type { ExecutorUpdate, TaskExecutor } from './taskExecutor.js';
import { buildTaskStatus, nowSeconds, reorderTaskStatus } from './taskStatus.js';

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
  /** --executor_registration_timeout (Mesos: 1 min). */
  executorRegistrationTimeoutMs: number;
  /** --executor_shutdown_grace_period (Mesos: 5 s), unless ExecutorInfo.shutdown_grace_period says otherwise. */
  executorShutdownGraceMs: number;
  /** Mesos: 30 min. */
  executorHeartbeatIntervalSeconds: number;
  logger: Logger;
  sendToMaster(message: AgentToMasterMessage): void;
  /** The master's ShutdownMessage: the agent's process exits, which the simulator carries out. */
  shutdown(message: string): void;
}

type FrameworkWithId = FrameworkInfo & { id: { value: string } };

/** What runs a task: its own command executor, or a custom executor it shares with other tasks. */
type TaskRunner = { kind: 'command'; executor: TaskExecutor } | { kind: 'custom'; executor: CustomExecutor };

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
  runner: TaskRunner;
  /** The task's executor is gone (command), or the task ended (custom): it leaves once its last update is acknowledged. */
  executorDone: boolean;
  /** Updates are no longer sent (the framework is being shut down). */
  silenced: boolean;
  /** Uuids of updates a custom executor sent, to recognize the ones it sends again. */
  receivedUuids: Set<string>;
}

/** What GET /sim/tasks/{id} shows about a task. */
export interface SimTaskView {
  id: string;
  agent_id: string;
  state: TaskState;
  directory: string;
  pid: number | null;
  /** The custom executor running the task; absent for command tasks. */
  executor_id?: string;
}

/** How the executor endpoint answers a call the agent has looked at. */
export type ExecutorCallAnswer =
  | { status: 202 }
  | { status: 200; subscribe(stream: EventStream<ExecutorEvent>): void }
  | { status: 400 | 403 | 501; body: string };

const MAX_COMPLETED_TASKS = 1000;

export class SimAgent {
  private running = true;
  private readonly tasks = new Map<string, AgentTask>();
  /** Custom executors by framework id and executor id; they leave when they terminate. */
  private readonly executors = new Map<string, CustomExecutor>();
  private readonly frameworks = new Map<string, FrameworkWithId>();
  private readonly completed: AgentTask[] = [];
  private readonly updates: StatusUpdateManager;
  private readonly log: Logger;
  private drainConfig: DrainConfig | undefined;

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

  /** Whether the agent's process runs (it is not stopped or shut down). */
  get isRunning(): boolean {
    return this.running;
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
      case 'shutdownExecutor':
        this.shutdownExecutor(message.frameworkId, message.executorId);
        return;
      case 'frameworkMessage':
        this.frameworkMessage(message.frameworkId, message.executorId, message.data);
        return;
      case 'drain':
        this.drain(message.config);
        return;
      case 'shutdown':
        this.log.info({ reason: message.message }, 'agent asked to shut down by the master');
        this.options.shutdown(message.message);
        return;
      default:
        assertNever(message, 'master message');
    }
  }

  /** ReregisterSlaveMessage's content: every task the agent holds, with what its update manager awaits. */
  report(): AgentReport {
    const tasks: AgentTaskReport[] = [];
    const frameworkIds = new Set<string>();
    for (const task of this.tasks.values()) {
      frameworkIds.add(task.frameworkId);
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
    const executors = [...this.executors.values()].map((run) => ({ frameworkId: run.frameworkId, info: run.info }));
    for (const { frameworkId } of executors) frameworkIds.add(frameworkId);
    const frameworks = [...frameworkIds].map((id) => this.frameworks.get(id)).filter((f): f is FrameworkWithId => f !== undefined);
    return { agentId: this.id, tasks, executors, frameworks };
  }

  /** Re-sends every update still waiting for acknowledgement (after a reconnection or resubscription). */
  resendPendingUpdates(frameworkId?: string): void {
    if (this.running) this.updates.resend(frameworkId);
  }

  /** The host dies (or the agent process exits): every executor is killed and the agent forgets everything but its sandboxes. */
  async stop(): Promise<void> {
    this.running = false;
    this.drainConfig = undefined;
    this.updates.clear();
    const tasks = [...this.tasks.values()];
    const executors = [...this.executors.values()];
    this.tasks.clear();
    this.executors.clear();
    this.frameworks.clear();
    this.completed.length = 0;
    await Promise.all([
      ...tasks.flatMap((t) => (t.runner.kind === 'command' ? [t.runner.executor.destroy()] : [])),
      ...executors.map((run) => run.destroy()),
    ]);
  }

  /** The host is back: the agent starts empty, keeping its id and work directory. */
  start(): void {
    this.running = true;
  }

  /** The task's process dies by SIGKILL; for a custom executor's task, the executor's does. */
  crashTask(taskId: string): boolean {
    for (const task of this.tasks.values()) {
      if (task.taskId === taskId && !isTerminalTaskState(task.state)) {
        task.runner.executor.crash();
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
    const view: SimTaskView = { id: found.taskId, agent_id: this.id, state: found.state, directory: found.directory, pid: found.runner.executor.pid ?? null };
    if (found.runner.kind === 'custom') view.executor_id = found.executorId;
    return view;
  }

  /** Whether a custom executor with these ids runs here (the unprefixed executor endpoint looks agents up by it). */
  hasExecutor(frameworkId: string, executorId: string): boolean {
    return this.executors.has(key(frameworkId, executorId));
  }

  // ---------------------------------------------------------------- tasks

  private runTask(framework: FrameworkWithId, info: TaskInfo): void {
    const frameworkId = framework.id.value;
    const taskId = info.task_id.value;
    const log = this.log.child({ frameworkId, taskId });
    if (this.tasks.has(key(frameworkId, taskId))) {
      log.warn('ignoring a second launch of a task the agent already runs');
      return;
    }
    this.frameworks.set(frameworkId, framework);
    const executorId = info.executor?.executor_id.value ?? taskId;
    if (this.drainConfig !== undefined) {
      log.warn('dropping a task received while the agent is draining');
      this.dropTask(framework, taskId, executorId, 'REASON_AGENT_DRAINING', 'Task was received while agent was already draining');
      return;
    }
    if (info.executor === undefined && this.executors.has(key(frameworkId, taskId))) {
      this.dropTask(framework, taskId, executorId, 'REASON_TASK_INVALID', 'Cannot reuse an already existing executor for a command task');
      return;
    }
    if (info.executor !== undefined) {
      this.runOnCustomExecutor(framework, info, info.executor, log);
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
      runner: undefined as unknown as TaskRunner,
      executorDone: false,
      silenced: false,
      receivedUuids: new Set(),
    };
    const callbacks = {
      update: (u: ExecutorUpdate) => this.executorUpdate(task, u),
      launchFailed: (message: string) =>
        this.agentUpdate(task, 'TASK_FAILED', message, 'REASON_CONTAINER_LAUNCH_FAILED'),
      terminated: () => this.executorTerminated(task),
    };
    const executor: TaskExecutor = this.options.processless
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
            agentPid: this.pid(),
            agentEndpoint: this.endpoint(),
            framework,
            task: info,
            executorId: taskId,
            containerId,
            inherited: process.env,
          }),
        });
    task.runner = { kind: 'command', executor };
    this.tasks.set(key(frameworkId, taskId), task);
    log.info({ containerId, directory }, 'launching task');
    executor.launch();
  }

  /** A task for a custom executor: the running executor gets it, or a new executor is launched for it. */
  private runOnCustomExecutor(framework: FrameworkWithId, info: TaskInfo, executorInfo: ExecutorInfo, log: Logger): void {
    const frameworkId = framework.id.value;
    const taskId = info.task_id.value;
    const run = this.executors.get(key(frameworkId, executorInfo.executor_id.value)) ?? this.launchExecutor(framework, executorInfo);
    const task: AgentTask = {
      frameworkId,
      taskId,
      executorId: run.id,
      containerId: run.containerId,
      info,
      framework,
      state: 'TASK_STAGING',
      statuses: [],
      directory: run.directory,
      runner: { kind: 'custom', executor: run },
      executorDone: false,
      silenced: false,
      receivedUuids: new Set(),
    };
    this.tasks.set(key(frameworkId, taskId), task);
    log.info({ executorId: run.id, executorState: run.state }, 'queueing task for its custom executor');
    run.addTask(info);
  }

  /** Slave::launchExecutor: a container with its own sandbox, the executor's command and the executor environment. */
  private launchExecutor(framework: FrameworkWithId, info: ExecutorInfo): CustomExecutor {
    const frameworkId = framework.id.value;
    const executorId = info.executor_id.value;
    const containerId = newContainerId();
    const directory = sandboxPath({ agentWorkDir: this.options.workDir, agentId: this.id, frameworkId, executorId, containerId });
    const graceNs = info.shutdown_grace_period?.nanoseconds ?? this.options.executorShutdownGraceMs * 1e6;
    const logger = this.log.child({ frameworkId, executorId, containerId });
    let run: CustomExecutor | undefined;
    run = new CustomExecutor({
      frameworkId,
      info,
      sandbox: directory,
      containerId,
      isolation: this.options.isolation,
      registrationTimeoutMs: this.options.executorRegistrationTimeoutMs,
      shutdownGraceMs: graceNs / 1e6,
      heartbeatIntervalSeconds: this.options.executorHeartbeatIntervalSeconds,
      logger,
      terminated: (termination) => this.customExecutorTerminated(run!, termination),
      env: executorEnvironment({
        sandbox: directory,
        agentId: this.id,
        agentPid: this.pid(),
        agentEndpoint: this.endpoint(),
        framework,
        executor: info,
        shutdownGracePeriodNs: graceNs,
        inherited: process.env,
      }),
    });
    this.executors.set(key(frameworkId, executorId), run);
    logger.info({ directory }, 'launching executor');
    run.launch();
    return run;
  }

  private dropTask(framework: FrameworkWithId, taskId: string, executorId: string, reason: TaskStatusReason, message: string): void {
    const state: TaskState = hasCapability(framework, 'PARTITION_AWARE') ? 'TASK_DROPPED' : 'TASK_LOST';
    this.updates.update(framework.id.value, this.agentStatus(taskId, state, message, reason, executorId));
  }

  private killTask(frameworkId: string, taskId: string, killPolicy: KillPolicy | undefined): void {
    const task = this.tasks.get(key(frameworkId, taskId));
    const log = this.log.child({ frameworkId, taskId });
    if (task === undefined) {
      const framework = this.liveFramework(frameworkId);
      if (framework === undefined) {
        log.warn('ignoring kill of a task of a framework the agent does not run');
        return;
      }
      const state: TaskState = hasCapability(framework, 'PARTITION_AWARE') ? 'TASK_DROPPED' : 'TASK_LOST';
      this.updates.update(frameworkId, this.agentStatus(taskId, state, 'Cannot find executor', 'REASON_EXECUTOR_TERMINATED'));
      return;
    }
    if (isTerminalTaskState(task.state)) return;
    const runner = task.runner;
    switch (runner.kind) {
      case 'command':
        if (!runner.executor.launched) {
          log.warn('killing a task before it was delivered to its executor');
          this.agentUpdate(task, 'TASK_KILLED', 'Killed before delivery to the executor', 'REASON_TASK_KILLED_DURING_LAUNCH');
          void runner.executor.destroy().then(() => this.executorTerminated(task));
          return;
        }
        runner.executor.kill(killPolicy);
        return;
      case 'custom':
        this.killCustomTask(task, runner.executor, killPolicy, log);
        return;
      default:
        assertNever(runner, 'task runner');
    }
  }

  /** Slave::kill for a custom executor's task: the executor kills delivered tasks, the agent the others. */
  private killCustomTask(task: AgentTask, run: CustomExecutor, killPolicy: KillPolicy | undefined, log: Logger): void {
    if (run.state === 'TERMINATING' || run.state === 'TERMINATED') {
      log.warn({ executorState: run.state }, 'ignoring kill of a task whose executor is terminating');
      return;
    }
    if (run.hasLaunched(task.taskId)) {
      run.killTask(task.taskId, killPolicy);
      return;
    }
    log.warn('killing a task before it was delivered to its executor');
    run.dropQueued(task.taskId);
    this.agentUpdate(task, 'TASK_KILLED', 'Killed before delivery to the executor', 'REASON_TASK_KILLED_DURING_LAUNCH');
    task.executorDone = true;
    this.maybeComplete(task);
    // MESOS-8411: an executor that was never given a task and has none left is shut down.
    if (run.state === 'RUNNING' && !run.everSentTask && !run.hasQueued()) run.shutdown();
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
    for (const task of [...this.tasks.values()]) {
      if (task.frameworkId !== frameworkId) continue;
      task.silenced = true;
      const runner = task.runner;
      if (runner.kind === 'command') {
        if (runner.executor.launched) runner.executor.kill();
        else void runner.executor.destroy().then(() => this.executorTerminated(task));
      } else if (!runner.executor.hasLaunched(task.taskId) && runner.executor.dropQueued(task.taskId)) {
        task.executorDone = true;
        this.maybeComplete(task);
      }
    }
    for (const run of this.executors.values()) if (run.frameworkId === frameworkId) run.shutdown();
    this.updateDrainStatus();
  }

  /** The scheduler's SHUTDOWN call: a custom executor is asked to shut down, a command task is killed. */
  private shutdownExecutor(frameworkId: string, executorId: string): void {
    const run = this.executors.get(key(frameworkId, executorId));
    if (run !== undefined) {
      run.shutdown();
      return;
    }
    const task = this.tasks.get(key(frameworkId, executorId));
    if (task?.runner.kind === 'command') task.runner.executor.kill();
  }

  /** Slave::schedulerMessage: only a RUNNING custom executor gets the framework's message. */
  private frameworkMessage(frameworkId: string, executorId: string, data: string): void {
    const ids = { frameworkId, executorId };
    const run = this.executors.get(key(frameworkId, executorId));
    if (run === undefined) {
      this.log.warn(ids, 'dropping framework message: no such executor (command executors ignore messages)');
      return;
    }
    if (!run.message(data)) this.log.warn({ ...ids, executorState: run.state }, 'dropping framework message: the executor is not running');
  }

  /** Slave::drain: every task is killed, with the grace period capped by max_grace_period. */
  private drain(config: DrainConfig): void {
    if (this.tasks.size === 0 && this.executors.size === 0) {
      this.log.info('agent has no tasks or executors, so draining is already complete');
      return;
    }
    this.log.info({ maxGracePeriodNs: config.max_grace_period?.nanoseconds, markGone: config.mark_gone ?? false, tasks: this.tasks.size }, 'initiating drain');
    this.drainConfig = config;
    for (const task of [...this.tasks.values()]) {
      if (isTerminalTaskState(task.state)) continue;
      this.killTask(task.frameworkId, task.taskId, drainKillPolicy(task.info.kill_policy, config));
    }
  }

  /** Slave::updateDrainStatus: with no task or executor left, draining is over. */
  private updateDrainStatus(): void {
    if (this.drainConfig === undefined || this.tasks.size > 0 || this.executors.size > 0) return;
    this.log.info('agent finished draining');
    this.drainConfig = undefined;
  }

  // ---------------------------------------------------------------- the executor API

  /** A validated executor API call; the answer tells the endpoint what to write. */
  executorCall(call: ExecutorCall): ExecutorCallAnswer {
    const frameworkId = call.framework_id.value;
    const executorId = call.executor_id.value;
    if (this.liveFramework(frameworkId) === undefined) return { status: 400, body: 'Framework cannot be found' };
    const run = this.executors.get(key(frameworkId, executorId));
    if (run === undefined) return { status: 400, body: 'Executor cannot be found' };
    if (run.state === 'REGISTERING' && call.type !== 'SUBSCRIBE') return { status: 403, body: 'Executor is not subscribed' };
    switch (call.type) {
      case 'SUBSCRIBE':
        return { status: 200, subscribe: (stream) => this.subscribeExecutor(run, call.subscribe, stream) };
      case 'UPDATE':
        this.executorStatusUpdate(run, call.update.status);
        return { status: 202 };
      case 'MESSAGE':
        this.options.sendToMaster({ kind: 'executorMessage', frameworkId, executorId, data: call.message.data });
        return { status: 202 };
      case 'HEARTBEAT':
        return { status: 202 };
      case 'UNKNOWN':
        this.log.warn({ frameworkId, executorId }, "received 'UNKNOWN' executor call");
        return { status: 501, body: '' };
      default:
        return assertNever(call, 'executor call');
    }
  }

  /** Slave::subscribe for an HTTP executor; a resubscription replays its unacknowledged updates. */
  private subscribeExecutor(run: CustomExecutor, subscribe: ExecutorSubscribeCall['subscribe'], stream: EventStream<ExecutorEvent>): void {
    const log = this.log.child({ frameworkId: run.frameworkId, executorId: run.id });
    if (run.state === 'TERMINATING' || run.state === 'TERMINATED' || !this.running) {
      log.warn({ executorState: run.state }, 'shutting down an executor that subscribes while it is terminating');
      stream.send({ type: 'SHUTDOWN' });
      stream.close();
      return;
    }
    log.info('executor subscribed');
    run.attach(stream);
    // Mesos acknowledges replayed updates once its update manager took them in, after SUBSCRIBED went out.
    const replayed = (subscribe.unacknowledged_updates ?? []).map((update) => this.executorStatusUpdate(run, update.status, false));
    const known = new Set((subscribe.unacknowledged_tasks ?? []).map((t) => t.task_id.value));
    for (const task of [...this.tasks.values()]) {
      if (task.runner.executor !== run || task.state !== 'TASK_STAGING' || !run.hasLaunched(task.taskId) || known.has(task.taskId)) continue;
      const state: TaskState = hasCapability(task.framework, 'PARTITION_AWARE') ? 'TASK_DROPPED' : 'TASK_LOST';
      this.agentUpdate(task, state, 'Task launched during agent restart', 'REASON_AGENT_RESTARTED');
    }
    if (!run.everSentTask && !run.hasQueued()) {
      log.warn('shutting down an executor that was never sent a task and whose queued tasks were all killed');
      run.shutdown();
      for (const { taskId, uuid } of replayed) run.acknowledge(taskId, uuid);
      return;
    }
    const framework = this.frameworks.get(run.frameworkId)!;
    run.subscribed({
      type: 'SUBSCRIBED',
      subscribed: { executor_info: run.info, framework_info: framework, agent_info: this.agentInfoMessage(), container_id: { value: run.containerId } },
    });
    for (const { taskId, uuid } of replayed) run.acknowledge(taskId, uuid);
  }

  /** An UPDATE from a custom executor: its uuid is kept, so the framework's acknowledgement matches it. */
  private executorStatusUpdate(run: CustomExecutor, sent: TaskStatus, acknowledgeNow = true): { taskId: string; uuid: string } {
    const taskId = sent.task_id.value;
    const uuid = sent.uuid!;
    const task = this.tasks.get(key(run.frameworkId, taskId));
    const status = reorderTaskStatus({
      ...sent,
      source: 'SOURCE_EXECUTOR',
      agent_id: { value: this.id },
      timestamp: sent.timestamp ?? nowSeconds(),
      ...(task !== undefined && run.hasLaunched(taskId) ? { container_status: { ...this.containerStatus(task), ...(sent.container_status ?? {}) } } : {}),
    });
    if (task === undefined || task.runner.executor !== run) {
      this.log.warn({ frameworkId: run.frameworkId, executorId: run.id, taskId }, 'status update for a task of another or no executor; forwarding it');
      this.updates.update(run.frameworkId, status);
    } else if (!task.receivedUuids.has(uuid)) {
      task.receivedUuids.add(uuid);
      this.record(task, status);
    }
    if (acknowledgeNow) run.acknowledge(taskId, uuid);
    return { taskId, uuid };
  }

  private customExecutorTerminated(run: CustomExecutor, termination: ExecutorTermination): void {
    this.executors.delete(key(run.frameworkId, run.id));
    if (!this.running) return;
    this.log.info({ frameworkId: run.frameworkId, executorId: run.id, status: termination.status }, 'executor terminated');
    const pending = termination.pending;
    for (const task of [...this.tasks.values()]) {
      if (task.runner.executor !== run) continue;
      if (!isTerminalTaskState(task.state)) {
        this.agentUpdate(task, pending?.state ?? 'TASK_FAILED', pending?.message ?? 'Executor terminated', pending?.reason ?? 'REASON_EXECUTOR_TERMINATED');
      }
      task.executorDone = true;
      this.maybeComplete(task);
    }
    this.options.sendToMaster({ kind: 'exitedExecutor', frameworkId: run.frameworkId, executorId: run.id, status: termination.status });
    this.updateDrainStatus();
  }

  // ---------------------------------------------------------------- status updates

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

  private agentStatus(taskId: string, state: TaskState, message: string, reason: TaskStatusReason, executorId?: string): TaskStatus {
    return buildTaskStatus({
      taskId,
      state,
      message,
      source: 'SOURCE_AGENT',
      reason,
      agentId: this.id,
      ...(executorId !== undefined ? { executorId } : {}),
      uuid: newStatusUuid(),
    });
  }

  /** Slave::statusUpdate: a draining agent marks kills with REASON_AGENT_DRAINING (TASK_GONE_BY_OPERATOR with mark_gone). */
  private record(task: AgentTask, sent: TaskStatus): void {
    if (isTerminalTaskState(task.state)) return;
    let status = sent;
    if (this.drainConfig !== undefined && (status.state === 'TASK_KILLING' || status.state === 'TASK_KILLED')) {
      const gone = this.drainConfig.mark_gone === true && hasCapability(task.framework, 'PARTITION_AWARE');
      status = reorderTaskStatus({ ...status, reason: 'REASON_AGENT_DRAINING', ...(gone ? { state: 'TASK_GONE_BY_OPERATOR' as const } : {}) });
    }
    task.state = status.state;
    const last = task.statuses[task.statuses.length - 1];
    if (last !== undefined && last.state === status.state) task.statuses[task.statuses.length - 1] = status;
    else task.statuses.push(status);
    this.updates.update(task.frameworkId, status);
    if (task.runner.kind === 'custom' && isTerminalTaskState(status.state)) {
      task.executorDone = true;
      this.maybeComplete(task);
    }
  }

  private containerStatus(task: AgentTask): ContainerStatus {
    const status: ContainerStatus = {
      container_id: { value: task.containerId },
      network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: this.options.host }] }],
    };
    const pid = task.runner.executor.pid;
    if (pid !== undefined) status.executor_pid = pid;
    return status;
  }

  private executorTerminated(task: AgentTask): void {
    task.executorDone = true;
    this.maybeComplete(task);
  }

  /** A task leaves the agent once its executor is done with it and its last update is acknowledged. */
  private maybeComplete(task: AgentTask): void {
    if (!task.executorDone) return;
    if (!task.silenced && this.updates.hasPending(task.frameworkId, task.taskId)) return;
    if (this.tasks.get(key(task.frameworkId, task.taskId)) !== task) return;
    this.tasks.delete(key(task.frameworkId, task.taskId));
    this.remember(task);
    this.updateDrainStatus();
  }

  private remember(task: AgentTask): void {
    this.completed.push(task);
    if (this.completed.length > MAX_COMPLETED_TASKS) this.completed.shift();
  }

  private sendUpdate(frameworkId: string, status: TaskStatus): void {
    const task = this.tasks.get(key(frameworkId, status.task_id.value));
    this.options.sendToMaster({ kind: 'statusUpdate', frameworkId, status, latestState: task?.state ?? status.state });
  }

  /** A framework the agent runs tasks or executors for; once it has neither, the agent forgets it (Framework::idle). */
  private liveFramework(frameworkId: string): FrameworkWithId | undefined {
    for (const task of this.tasks.values()) if (task.frameworkId === frameworkId) return task.framework;
    for (const run of this.executors.values()) if (run.frameworkId === frameworkId) return this.frameworks.get(frameworkId);
    return undefined;
  }

  /** The agent's libprocess pid, "slave(N)@ip:port". */
  private pid(): string {
    return `${this.options.info.processId}@${this.options.host}:${this.options.port}`;
  }

  /** "ip:port" of the agent's HTTP server (shared by every simulated agent; see docs/simulator.md). */
  private endpoint(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** SlaveInfo as an executor's SUBSCRIBED event carries it. */
  private agentInfoMessage(): AgentInfoMessage {
    const info = this.options.info;
    return { hostname: info.hostname, port: this.options.port, resources: info.resources.toProtos(), attributes: info.attributes, id: { value: info.id } };
  }
}

/** Slave::drain's kill policy: max_grace_period caps the task's own grace period (none: the task's applies). */
function drainKillPolicy(taskPolicy: KillPolicy | undefined, config: DrainConfig): KillPolicy | undefined {
  const max = config.max_grace_period;
  if (max === undefined) return undefined;
  const own = taskPolicy?.grace_period;
  if (own === undefined || max.nanoseconds < own.nanoseconds) return { grace_period: max };
  return undefined;
}

function key(frameworkId: string, id: string): string {
  return `${frameworkId}\n${id}`;
}
