// One custom executor on an agent, as slave.cpp's Executor: its process and
// sandbox, its executor API connection, the tasks queued until it subscribes.
// It never decides task states; the agent does, from what the executor sends.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../common/log.js';
import type { ExecutorEvent } from '../mesos/executorTypes.js';
import type { ExecutorInfo, KillPolicy, TaskInfo, TaskState, TaskStatusReason } from '../mesos/types.js';
import { linkVolumes, planContainer, type Isolation } from './containerVolumes.js';
import { formatDuration } from './durationText.js';
import type { EventStream } from './eventStream.js';
import { fetchUris } from './fetcher.js';
import { waitStatusOf, type ProcessEnd } from './waitStatus.js';

export type CustomExecutorState = 'REGISTERING' | 'RUNNING' | 'TERMINATING' | 'TERMINATED';

/** Why the agent ended an executor, which decides its tasks' last status (ContainerTermination). */
export interface PendingTermination {
  state: TaskState;
  reason: TaskStatusReason;
  message: string;
}

/** How an executor ended: its wait status (-1 when it never ran) and what the agent had to say. */
export interface ExecutorTermination {
  status: number;
  pending: PendingTermination | undefined;
}

export interface CustomExecutorSpec {
  frameworkId: string;
  /** With framework_id and the allocation role of its resources filled in by the master. */
  info: ExecutorInfo;
  sandbox: string;
  containerId: string;
  env: Record<string, string>;
  isolation: Isolation;
  registrationTimeoutMs: number;
  /** ExecutorInfo.shutdown_grace_period, else the agent's default (5 s). */
  shutdownGraceMs: number;
  heartbeatIntervalSeconds: number;
  logger: Logger;
  /** The executor's process and container are gone; never called after destroy(). */
  terminated(termination: ExecutorTermination): void;
}

export class CustomExecutor {
  private stateValue: CustomExecutorState = 'REGISTERING';
  private pidValue: number | undefined;
  private connection: EventStream<ExecutorEvent> | undefined;
  /** Tasks waiting for the executor to subscribe, in launch order. */
  private readonly queued = new Map<string, TaskInfo>();
  /** Tasks handed to the executor in a LAUNCH event. */
  private readonly launchedIds = new Set<string>();
  private pending: PendingTermination | undefined;
  private registrationTimer: NodeJS.Timeout | undefined;
  private shutdownTimer: NodeJS.Timeout | undefined;
  private exited: Promise<void> = Promise.resolve();
  private destroyed = false;

  constructor(private readonly spec: CustomExecutorSpec) {}

  get id(): string {
    return this.spec.info.executor_id.value;
  }

  get frameworkId(): string {
    return this.spec.frameworkId;
  }

  get info(): ExecutorInfo {
    return this.spec.info;
  }

  get containerId(): string {
    return this.spec.containerId;
  }

  get directory(): string {
    return this.spec.sandbox;
  }

  get state(): CustomExecutorState {
    return this.stateValue;
  }

  get pid(): number | undefined {
    return this.pidValue;
  }

  /** Whether the executor has ever been given a task (Executor::everSentTask). */
  get everSentTask(): boolean {
    return this.launchedIds.size > 0;
  }

  hasLaunched(taskId: string): boolean {
    return this.launchedIds.has(taskId);
  }

  hasQueued(): boolean {
    return this.queued.size > 0;
  }

  /** Prepares the container (sandbox, fetched URIs, volumes) and starts the executor's command. */
  launch(): void {
    this.registrationTimer = setTimeout(() => this.registrationTimeout(), this.spec.registrationTimeoutMs);
    this.registrationTimer.unref();
    void this.prepareAndStart().catch((err: unknown) => {
      this.spec.logger.error({ err }, 'executor launch failed unexpectedly');
      this.failLaunch((err as Error).message);
    });
  }

  /** A task for this executor: handed over at once when it is subscribed, else kept until it is. */
  addTask(task: TaskInfo): void {
    if (this.stateValue === 'RUNNING' && this.connection !== undefined) this.deliver(task);
    else this.queued.set(task.task_id.value, task);
  }

  /** A queued task the agent killed before delivery; false when it was not queued. */
  dropQueued(taskId: string): boolean {
    return this.queued.delete(taskId);
  }

  /** SUBSCRIBE: the stream replaces any earlier one; the executor is RUNNING. */
  attach(stream: EventStream<ExecutorEvent>): void {
    if (this.connection !== undefined && this.connection !== stream) {
      this.spec.logger.warn('closing the already existing connection of a resubscribing executor');
      this.connection.close();
    }
    clearTimeout(this.registrationTimer);
    this.stateValue = 'RUNNING';
    this.connection = stream;
    stream.onClose(() => {
      if (this.connection === stream) this.connection = undefined;
    });
    stream.startHeartbeats(this.spec.heartbeatIntervalSeconds, { type: 'HEARTBEAT' }, true);
  }

  /** SUBSCRIBED, then a LAUNCH for every queued task. */
  subscribed(event: Extract<ExecutorEvent, { type: 'SUBSCRIBED' }>): void {
    this.send(event);
    const tasks = [...this.queued.values()];
    this.queued.clear();
    for (const task of tasks) this.deliver(task);
  }

  killTask(taskId: string, killPolicy: KillPolicy | undefined): void {
    this.send({ type: 'KILL', kill: { task_id: { value: taskId }, ...(killPolicy !== undefined ? { kill_policy: killPolicy } : {}) } });
  }

  acknowledge(taskId: string, uuid: string): void {
    this.send({ type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: taskId }, uuid } });
  }

  /** A framework message; dropped unless the executor is RUNNING, as Slave::schedulerMessage does. */
  message(data: string): boolean {
    if (this.stateValue !== 'RUNNING') return false;
    this.send({ type: 'MESSAGE', message: { data } });
    return true;
  }

  /** SHUTDOWN now, the container destroyed if the executor is still there after its grace period. */
  shutdown(pending?: PendingTermination): void {
    if (this.stateValue !== 'REGISTERING' && this.stateValue !== 'RUNNING') return;
    this.stateValue = 'TERMINATING';
    if (pending !== undefined) this.pending = pending;
    clearTimeout(this.registrationTimer);
    this.send({ type: 'SHUTDOWN' });
    this.spec.logger.info({ graceMs: this.spec.shutdownGraceMs }, 'shutting down executor');
    this.shutdownTimer = setTimeout(() => {
      if (this.stateValue !== 'TERMINATING') return;
      this.spec.logger.info('executor did not exit within its shutdown grace period; destroying its container');
      signalGroup(this.pidValue, 'SIGKILL');
    }, this.spec.shutdownGraceMs);
    this.shutdownTimer.unref();
  }

  /** The executor's processes die by SIGKILL, as if it crashed. */
  crash(): void {
    if (this.stateValue !== 'TERMINATED') signalGroup(this.pidValue, 'SIGKILL');
  }

  /** Tears everything down without a word (the agent's host died): no termination is reported. */
  async destroy(): Promise<void> {
    this.destroyed = true;
    clearTimeout(this.registrationTimer);
    clearTimeout(this.shutdownTimer);
    this.connection?.close();
    this.connection = undefined;
    if (this.stateValue !== 'TERMINATED') signalGroup(this.pidValue, 'SIGKILL');
    this.stateValue = 'TERMINATED';
    await this.exited;
  }

  private deliver(task: TaskInfo): void {
    this.launchedIds.add(task.task_id.value);
    this.send({ type: 'LAUNCH', launch: { task } });
  }

  private send(event: ExecutorEvent): void {
    if (this.connection === undefined) {
      this.spec.logger.warn({ eventType: event.type }, 'executor is not connected; dropping the event');
      return;
    }
    this.connection.send(event);
  }

  private registrationTimeout(): void {
    if (this.stateValue !== 'REGISTERING') return;
    const message = `Executor did not register within ${formatDuration(this.spec.registrationTimeoutMs * 1e6)}`;
    this.spec.logger.warn(message);
    this.stateValue = 'TERMINATING';
    this.pending = { state: 'TASK_FAILED', reason: 'REASON_EXECUTOR_REGISTRATION_TIMEOUT', message };
    if (this.pidValue === undefined) this.finish(-1);
    else signalGroup(this.pidValue, 'SIGKILL');
  }

  private async prepareAndStart(): Promise<void> {
    const { info, sandbox } = this.spec;
    const plan = planContainer(info.container, this.spec.isolation);
    if (!plan.ok) return this.failLaunch(plan.error);
    await mkdir(sandbox, { recursive: true });
    await writeFile(join(sandbox, 'stdout'), '', { flag: 'a' });
    await writeFile(join(sandbox, 'stderr'), '', { flag: 'a' });
    if (this.hasEnded()) return;
    const uris = info.command?.uris ?? [];
    if (uris.length > 0) {
      const fetched = await fetchUris(uris, sandbox);
      if (this.hasEnded()) return;
      if (!fetched.ok) {
        await appendFile(join(sandbox, 'stderr'), `${fetched.error}\n`);
        return this.failLaunch(`Failed to fetch all URIs for container '${this.spec.containerId}': exited with status 1`);
      }
    }
    const linkError = await linkVolumes(plan.links, sandbox);
    if (this.hasEnded()) return;
    if (linkError !== undefined) return this.failLaunch(linkError);
    if (this.state === 'TERMINATING') return this.finish(-1);
    this.start();
  }

  /** Read through a method so that checks after an await see the current state. */
  private hasEnded(): boolean {
    return this.stateValue === 'TERMINATED';
  }

  private failLaunch(message: string): void {
    if (this.stateValue === 'TERMINATED') return;
    this.pending = { state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: `Failed to launch container: ${message}` };
    this.finish(-1);
  }

  /** Starts the executor's command in its own process group, its output going to the sandbox. */
  private start(): void {
    const { info, sandbox, env } = this.spec;
    const command = info.command!;
    const out = openSync(join(sandbox, 'stdout'), 'a');
    const err = openSync(join(sandbox, 'stderr'), 'a');
    const options = { cwd: sandbox, env, stdio: ['ignore', out, err] as ['ignore', number, number], detached: true };
    let child: ChildProcess;
    try {
      child =
        command.shell === false
          ? spawn(command.value ?? '', (command.arguments ?? []).slice(1), { ...options, argv0: command.arguments?.[0] ?? command.value ?? '' })
          : spawn('/bin/sh', ['-c', command.value ?? ''], { ...options, argv0: 'sh' });
    } catch (error) {
      this.failLaunch(`Failed to execute '${command.value ?? ''}': ${(error as Error).message}`);
      return;
    } finally {
      closeSync(out);
      closeSync(err);
    }
    this.pidValue = child.pid;
    this.spec.logger.info({ pid: child.pid }, 'forked executor');
    this.exited = new Promise<void>((resolve) => {
      let done = false;
      const reaped = (end: ProcessEnd): void => {
        if (done) return;
        done = true;
        signalGroup(this.pidValue, 'SIGKILL');
        if (!this.destroyed) this.finish(waitStatusOf(end));
        resolve();
      };
      child.once('exit', (code, signal) => reaped(signal !== null ? { kind: 'signaled', signal } : { kind: 'exited', code: code ?? 1 }));
      child.once('error', (error) => {
        void appendFile(join(sandbox, 'stderr'), `Failed to execute '${command.value ?? ''}': ${error.message}\n`)
          .catch(() => undefined)
          .finally(() => reaped({ kind: 'exited', code: 1 }));
      });
    });
  }

  private finish(status: number): void {
    if (this.stateValue === 'TERMINATED') return;
    this.stateValue = 'TERMINATED';
    clearTimeout(this.registrationTimer);
    clearTimeout(this.shutdownTimer);
    this.connection?.close();
    this.connection = undefined;
    this.spec.terminated({ status, pending: this.pending });
  }
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the process group is already gone
  }
}
