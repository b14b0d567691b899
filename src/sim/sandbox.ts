// Where a task runs and what it sees: the sandbox path a Mesos agent uses and
// the environment the agent gives a command task or a custom executor.
// It computes paths and variables; it never creates or runs anything.

import { join } from 'node:path';
import type { CommandInfo, ExecutorInfo, FrameworkInfo, TaskInfo } from '../mesos/types.js';
import { formatDuration } from './durationText.js';

export interface SandboxCoordinates {
  agentWorkDir: string;
  agentId: string;
  frameworkId: string;
  executorId: string;
  containerId: string;
}

export function sandboxPath(c: SandboxCoordinates): string {
  return join(c.agentWorkDir, 'slaves', c.agentId, 'frameworks', c.frameworkId, 'executors', c.executorId, 'runs', c.containerId);
}

export interface TaskEnvironmentInput {
  sandbox: string;
  agentId: string;
  agentPid: string;
  agentEndpoint: string;
  framework: FrameworkInfo & { id: { value: string } };
  task: TaskInfo;
  executorId: string;
  containerId: string;
  /** The agent's own environment, which executors inherit. */
  inherited: NodeJS.ProcessEnv;
}

/**
 * The task's environment, lowest precedence first: the agent's environment,
 * what the agent sets for the executor (Slave::executorEnvironment), the
 * container's MESOS_SANDBOX, MESOS_ALLOCATION_ROLE, then CommandInfo.environment.
 * MESOS_TASK_ID, MESOS_AGENT_ID and MESOS_CONTAINER_NAME are simulator additions.
 */
export function taskEnvironment(input: TaskEnvironmentInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.inherited)) if (value !== undefined) env[name] = value;
  Object.assign(env, {
    MESOS_FRAMEWORK_ID: input.framework.id.value,
    MESOS_EXECUTOR_ID: input.executorId,
    MESOS_DIRECTORY: input.sandbox,
    MESOS_SLAVE_ID: input.agentId,
    MESOS_AGENT_ID: input.agentId,
    MESOS_SLAVE_PID: input.agentPid,
    MESOS_AGENT_ENDPOINT: input.agentEndpoint,
    MESOS_CHECKPOINT: input.framework.checkpoint === true ? '1' : '0',
    MESOS_HTTP_COMMAND_EXECUTOR: '0',
    MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: '5secs',
    MESOS_RECOVERY_TIMEOUT: '15mins',
    MESOS_SANDBOX: input.sandbox,
    MESOS_TASK_ID: input.task.task_id.value,
    MESOS_CONTAINER_NAME: `mesos-${input.containerId}`,
    MESOS_ALLOCATION_ROLE: input.task.resources?.[0]?.allocation_info?.role ?? '*',
  });
  Object.assign(env, commandEnvironment(input.task.command));
  return env;
}

/** CommandInfo.environment's VALUE variables (secrets are never resolved by the simulator). */
export function commandEnvironment(command: CommandInfo | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of command?.environment?.variables ?? []) {
    if ((v.type ?? 'VALUE') === 'VALUE' && v.value !== undefined) env[v.name] = v.value;
  }
  return env;
}

export interface ExecutorEnvironmentInput {
  sandbox: string;
  agentId: string;
  /** "slave(N)@ip:port": the C++ executor library posts to http://ip:port/slave(N)/api/v1/executor. */
  agentPid: string;
  /** "ip:port" of the agent's HTTP endpoint. */
  agentEndpoint: string;
  framework: FrameworkInfo & { id: { value: string } };
  executor: ExecutorInfo;
  shutdownGracePeriodNs: number;
  /** The agent's own environment, which executors inherit. */
  inherited: NodeJS.ProcessEnv;
}

/**
 * A custom executor's environment (Slave::executorEnvironment, then the
 * containerizer's MESOS_SANDBOX and MESOS_ALLOCATION_ROLE when the executor has
 * resources, then the executor's
 * CommandInfo.environment). MESOS_RECOVERY_TIMEOUT and
 * MESOS_SUBSCRIPTION_BACKOFF_MAX are set for checkpointing frameworks only.
 */
export function executorEnvironment(input: ExecutorEnvironmentInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.inherited)) if (value !== undefined) env[name] = value;
  const checkpoint = input.framework.checkpoint === true;
  Object.assign(env, {
    LIBPROCESS_PORT: '0',
    MESOS_FRAMEWORK_ID: input.framework.id.value,
    MESOS_EXECUTOR_ID: input.executor.executor_id.value,
    MESOS_DIRECTORY: input.sandbox,
    MESOS_SLAVE_ID: input.agentId,
    MESOS_SLAVE_PID: input.agentPid,
    MESOS_AGENT_ENDPOINT: input.agentEndpoint,
    MESOS_CHECKPOINT: checkpoint ? '1' : '0',
    MESOS_HTTP_COMMAND_EXECUTOR: '0',
    MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: formatDuration(input.shutdownGracePeriodNs),
  });
  if (checkpoint) Object.assign(env, { MESOS_RECOVERY_TIMEOUT: '15mins', MESOS_SUBSCRIPTION_BACKOFF_MAX: '2secs' });
  env['MESOS_SANDBOX'] = input.sandbox;
  const role = input.executor.resources?.[0]?.allocation_info?.role;
  if (role !== undefined) env['MESOS_ALLOCATION_ROLE'] = role;
  Object.assign(env, commandEnvironment(input.executor.command));
  return env;
}
