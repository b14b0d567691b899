// Runs one command task as a real process, as Mesos's command executor does
// (src/launcher/executor.cpp), in its own process group. It never outlives its
// container: whatever the task leaves in its group is killed when it ends.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../common/log.js';
import type { FrameworkInfo, KillPolicy, TaskInfo } from '../mesos/types.js';
import { hasCapability } from './callValidation.js';
import { linkVolumes, planContainer, type Isolation } from './containerVolumes.js';
import { fetchUris } from './fetcher.js';
import { HealthChecker, type HealthReport } from './healthChecker.js';
import type { ExecutorCallbacks, TaskExecutor } from './taskExecutor.js';
import { describeProcessEnd, processEndSucceeded, type ProcessEnd } from './waitStatus.js';

export interface CommandExecutorSpec {
  task: TaskInfo;
  framework: FrameworkInfo;
  sandbox: string;
  containerId: string;
  env: Record<string, string>;
  isolation: Isolation;
  logger: Logger;
  callbacks: ExecutorCallbacks;
}

type Phase = 'created' | 'preparing' | 'running' | 'terminated' | 'destroyed';

const DEFAULT_GRACE_MS = 3000;

/**
 * Container preparation (sandbox, fetched URIs, volumes), then TASK_STARTING and
 * TASK_RUNNING; the exit status or signal decides FINISHED, FAILED or KILLED.
 * A kill sends SIGTERM to the process group and SIGKILL after the grace period
 * (the KILL call's policy, else the task's, else 3 s).
 */
export class CommandExecutor implements TaskExecutor {
  private phase: Phase = 'created';
  private child: ChildProcess | undefined;
  private pidValue: number | undefined;
  private killed = false;
  private killedByHealthCheck = false;
  private killedByMaxCompletion = false;
  private killStart = 0;
  private escalationDeadline = 0;
  private escalationTimer: NodeJS.Timeout | undefined;
  private completionTimer: NodeJS.Timeout | undefined;
  private health: HealthChecker | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly spec: CommandExecutorSpec) {}

  get pid(): number | undefined {
    return this.pidValue;
  }

  get launched(): boolean {
    return this.phase === 'running' || this.phase === 'terminated';
  }

  launch(): void {
    this.phase = 'preparing';
    void this.prepareAndStart().catch((err: unknown) => {
      this.spec.logger.error({ err }, 'task launch failed unexpectedly');
      if (this.phase === 'preparing') this.failLaunch(`Failed to launch the task: ${(err as Error).message}`);
    });
  }

  private async prepareAndStart(): Promise<void> {
    const { task, sandbox } = this.spec;
    const plan = planContainer(task.container, this.spec.isolation);
    if (!plan.ok) return this.failLaunch(plan.error);
    await mkdir(sandbox, { recursive: true });
    await writeFile(join(sandbox, 'stdout'), '', { flag: 'a' });
    await writeFile(join(sandbox, 'stderr'), '', { flag: 'a' });
    if (this.phase !== 'preparing') return;
    const uris = task.command?.uris ?? [];
    if (uris.length > 0) {
      const fetched = await fetchUris(uris, sandbox);
      if (this.phase !== 'preparing') return;
      if (!fetched.ok) {
        await appendFile(join(sandbox, 'stderr'), `${fetched.error}\n`);
        return this.failLaunch(`Failed to fetch all URIs for container '${this.spec.containerId}': exited with status 1`);
      }
    }
    const linkError = await linkVolumes(plan.links, sandbox);
    if (this.phase !== 'preparing') return;
    if (linkError !== undefined) return this.failLaunch(linkError);
    this.start();
  }

  private failLaunch(message: string): void {
    this.phase = 'terminated';
    this.spec.callbacks.launchFailed(`Failed to launch container: ${message}`);
    this.spec.callbacks.terminated();
  }

  private start(): void {
    const { task, sandbox, env } = this.spec;
    this.phase = 'running';
    const command = task.command!;
    const executable = command.shell === false ? (command.value ?? '') : '/bin/sh';
    const spawned = this.spawnCommand(executable);
    if (spawned instanceof Error) {
      // Mesos's launcher reports a failed exec on stderr and exits 1, after the task was reported running.
      this.spec.callbacks.update({ state: 'TASK_STARTING' });
      this.spec.callbacks.update({ state: 'TASK_RUNNING' });
      this.exited = appendFile(join(sandbox, 'stderr'), `Failed to execute '${executable}': ${spawned.message}\n`)
        .catch(() => undefined)
        .then(() => this.reaped({ kind: 'exited', code: 1 }));
      return;
    }
    const child = spawned;
    this.child = child;
    this.pidValue = child.pid;
    this.exited = new Promise<void>((resolve) => {
      let done = false;
      const finish = (end: ProcessEnd): void => {
        if (done) return;
        done = true;
        this.reaped(end);
        resolve();
      };
      child.once('exit', (code, signal) => finish(signal !== null ? { kind: 'signaled', signal } : { kind: 'exited', code: code ?? 1 }));
      child.once('error', (error) => {
        void appendFile(join(sandbox, 'stderr'), `Failed to execute '${executable}': ${error.message}\n`)
          .catch(() => undefined)
          .finally(() => finish({ kind: 'exited', code: 1 }));
      });
    });
    this.spec.logger.info({ pid: child.pid }, 'forked command');
    // The command executor reports TASK_STARTING before it forks; here the task's own
    // process stands for the executor, so its pid must exist before the first update.
    this.spec.callbacks.update({ state: 'TASK_STARTING' });

    const maxCompletionNs = task.max_completion_time?.nanoseconds ?? 0;
    if (maxCompletionNs > 0) {
      this.completionTimer = setTimeout(() => {
        this.killedByMaxCompletion = true;
        this.kill({ grace_period: { nanoseconds: 0 } });
      }, maxCompletionNs / 1e6);
      this.completionTimer.unref();
    }
    if (task.health_check !== undefined) {
      this.health = new HealthChecker(task.health_check, { env, cwd: sandbox, logger: this.spec.logger }, (r) => this.healthUpdated(r));
      this.health.start();
    }
    this.spec.callbacks.update({ state: 'TASK_RUNNING' });
  }

  /** Starts the task's process in its own process group, its output going to the sandbox files. */
  private spawnCommand(executable: string): ChildProcess | Error {
    const { task, sandbox, env } = this.spec;
    const command = task.command!;
    const out = openSync(join(sandbox, 'stdout'), 'a');
    const err = openSync(join(sandbox, 'stderr'), 'a');
    const options = { cwd: sandbox, env, stdio: ['ignore', out, err] as ['ignore', number, number], detached: true };
    try {
      return command.shell === false
        ? spawn(executable, (command.arguments ?? []).slice(1), { ...options, argv0: command.arguments?.[0] ?? executable })
        : spawn('/bin/sh', ['-c', command.value ?? ''], { ...options, argv0: 'sh' });
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    } finally {
      closeSync(out);
      closeSync(err);
    }
  }

  private healthUpdated(report: HealthReport): void {
    if (this.killed || this.phase !== 'running') return;
    this.spec.callbacks.update({ state: 'TASK_RUNNING', reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED', healthy: report.healthy });
    if (report.killTask) {
      this.killedByHealthCheck = true;
      this.kill();
    }
  }

  kill(override?: KillPolicy): void {
    if (this.phase !== 'running') return;
    const graceNs = override?.grace_period?.nanoseconds ?? this.spec.task.kill_policy?.grace_period?.nanoseconds;
    const graceMs = graceNs === undefined ? DEFAULT_GRACE_MS : Math.max(0, graceNs / 1e6);
    if (this.killed) {
      // A later kill may only shorten the time left before SIGKILL, never lengthen it.
      if (this.killStart + graceMs >= this.escalationDeadline) return;
      this.scheduleEscalation(Math.max(0, this.killStart + graceMs - Date.now()));
      return;
    }
    clearTimeout(this.completionTimer);
    if (!this.killedByMaxCompletion && hasCapability(this.spec.framework, 'TASK_KILLING_STATE')) {
      this.spec.callbacks.update({ state: 'TASK_KILLING' });
    }
    this.health?.stop();
    this.spec.logger.info({ pid: this.pidValue, graceMs }, 'sending SIGTERM to the task process group');
    signalGroup(this.pidValue, 'SIGTERM');
    this.killed = true;
    this.killStart = Date.now();
    this.scheduleEscalation(graceMs);
  }

  private scheduleEscalation(delayMs: number): void {
    clearTimeout(this.escalationTimer);
    this.escalationDeadline = Date.now() + delayMs;
    this.escalationTimer = setTimeout(() => {
      if (this.phase !== 'running') return;
      this.spec.logger.info({ pid: this.pidValue }, 'grace period over; sending SIGKILL to the task process group');
      signalGroup(this.pidValue, 'SIGKILL');
    }, delayMs);
    this.escalationTimer.unref();
  }

  crash(): void {
    if (this.phase === 'running') signalGroup(this.pidValue, 'SIGKILL');
  }

  async destroy(): Promise<void> {
    const wasRunning = this.phase === 'running';
    this.phase = 'destroyed';
    this.health?.stop();
    clearTimeout(this.escalationTimer);
    clearTimeout(this.completionTimer);
    if (wasRunning || this.child !== undefined) {
      signalGroup(this.pidValue, 'SIGKILL');
      await this.exited;
    }
  }

  private reaped(end: ProcessEnd): void {
    signalGroup(this.pidValue, 'SIGKILL');
    if (this.phase !== 'running') return;
    this.phase = 'terminated';
    this.health?.stop();
    clearTimeout(this.escalationTimer);
    clearTimeout(this.completionTimer);
    const message = `Command ${describeProcessEnd(end)}`;
    this.spec.logger.info({ pid: this.pidValue, end }, message);
    if (this.killedByMaxCompletion) {
      this.spec.callbacks.update({ state: 'TASK_FAILED', message, reason: 'REASON_MAX_COMPLETION_TIME_REACHED' });
    } else if (this.killed) {
      this.spec.callbacks.update({ state: 'TASK_KILLED', message, ...(this.killedByHealthCheck ? { healthy: false } : {}) });
    } else {
      this.spec.callbacks.update({ state: processEndSucceeded(end) ? 'TASK_FINISHED' : 'TASK_FAILED', message });
    }
    this.spec.callbacks.terminated();
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
