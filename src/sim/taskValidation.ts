// The master's checks on one task of a LAUNCH (validation.cpp task::validate
// and the common validators it calls), in upstream's order and with its
// messages; the first failure becomes a TASK_ERROR. Pure: it reads the
// framework's and agent's state through a narrow view and changes nothing.

import type { CheckInfo, CommandInfo, ContainerInfo, ExecutorInfo, HealthCheck, TaskInfo, Volume } from '../mesos/types.js';
import { validateId } from './callValidation.js';
import { Resources, validateResourceList } from './resources.js';

export interface TaskValidationContext {
  /** A live task of the framework already has this id. */
  hasTask(taskId: string): boolean;
  /** An unreachable task of the framework already has this id. */
  hasUnreachableTask(taskId: string): boolean;
  agentId: string;
  frameworkId: string;
  /** The custom executor with this id the agent already runs for the framework, as the master recorded it. */
  existingExecutor(executorId: string): ExecutorInfo | undefined;
  /** What is left of the accepted offers for this task. */
  available: Resources;
  allocationRole: string;
}

export function validateTask(task: TaskInfo, ctx: TaskValidationContext): string | undefined {
  const taskId = task.task_id.value;
  const idError = validateId(taskId);
  if (idError !== undefined) return idError;
  if (ctx.hasTask(taskId)) return `Task has duplicate ID: ${taskId}`;
  if (ctx.hasUnreachableTask(taskId)) return `Task reuses the ID of an unreachable task: ${taskId}`;
  if (task.agent_id.value !== ctx.agentId) {
    return `Task uses invalid agent ${task.agent_id.value} while agent ${ctx.agentId} is expected`;
  }
  if ((task.kill_policy?.grace_period?.nanoseconds ?? 0) < 0) {
    return "Task's 'kill_policy.grace_period' must be non-negative";
  }
  if ((task.max_completion_time?.nanoseconds ?? 0) < 0) return "Task's `max_completion_time` must be non-negative";
  if (task.check !== undefined) {
    const error = validateCheckInfo(task.check);
    if (error !== undefined) return `Task uses invalid check: ${error}`;
  }
  if (task.health_check !== undefined) {
    const error = validateHealthCheck(task.health_check);
    if (error !== undefined) return `Task uses invalid health check: ${error}`;
  }
  if ((task.resources ?? []).length === 0) return 'Task uses no resources';
  const resourceError = validateResourceList(task.resources);
  if (resourceError !== undefined) return `Task uses invalid resources: Invalid resources: ${resourceError}`;
  const gpus = Resources.fromProtos(task.resources).scalar('gpus');
  if (Math.round(gpus * 1000) % 1000 !== 0) {
    return "Task uses invalid resources: Invalid 'gpus' resource: The 'gpus' resource must be an unsigned integer";
  }
  if (task.command !== undefined) {
    const error = validateEnvironment(task.command);
    if (error !== undefined) return `Task's \`CommandInfo\` is invalid: ${error}`;
  }
  if (task.container !== undefined) {
    const error = validateContainerInfo(task.container);
    if (error !== undefined) return `Task's \`ContainerInfo\` is invalid: ${error}`;
  }
  if ((task.executor !== undefined) === (task.command !== undefined)) {
    return 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present';
  }
  let total = Resources.fromProtos(task.resources);
  if (task.executor !== undefined) {
    const executor = task.executor;
    const error = validateExecutor(executor, ctx);
    if (error !== undefined) return error;
    if (executor.type !== undefined && executor.type !== 'CUSTOM') return "'ExecutorInfo.type' must be 'CUSTOM'";
    if (executor.command === undefined) return "'ExecutorInfo.command' must be set";
    if (ctx.existingExecutor(executor.executor_id.value) === undefined) total = total.plus(Resources.fromProtos(executor.resources));
  }
  if (!ctx.available.contains(total)) {
    return (
      `Total resources ${total.toText(ctx.allocationRole)} required by task and its executor ` +
      `is more than available ${ctx.available.toText(ctx.allocationRole)}`
    );
  }
  return undefined;
}

/** executor::internal::validate: the executor's own fields, its framework, and agreement with a running one. */
function validateExecutor(executor: ExecutorInfo, ctx: TaskValidationContext): string | undefined {
  if (executor.type === 'DEFAULT') {
    if (executor.command !== undefined) return "'ExecutorInfo.command' must not be set for 'DEFAULT' executor";
    if (executor.container !== undefined && executor.container.type !== 'MESOS') {
      return "'ExecutorInfo.container.type' must be 'MESOS' for 'DEFAULT' executor";
    }
  }
  if (executor.type === 'CUSTOM' && executor.command === undefined) return "'ExecutorInfo.command' must be set for 'CUSTOM' executor";
  const idError = validateId(executor.executor_id.value);
  if (idError !== undefined) return idError;
  if ((executor.shutdown_grace_period?.nanoseconds ?? 0) < 0) return "ExecutorInfo's 'shutdown_grace_period' must be non-negative";
  if (executor.command !== undefined) {
    const error = validateEnvironment(executor.command);
    if (error !== undefined) return `Executor's \`CommandInfo\` is invalid: ${error}`;
  }
  if (executor.container !== undefined) {
    const error = validateContainerInfo(executor.container);
    if (error !== undefined) return `Executor's \`ContainerInfo\` is invalid: ${error}`;
  }
  if (executor.framework_id === undefined) return "'ExecutorInfo.framework_id' must be set";
  if (executor.framework_id.value !== ctx.frameworkId) {
    return `ExecutorInfo has an invalid FrameworkID (Actual: ${executor.framework_id.value} vs Expected: ${ctx.frameworkId})`;
  }
  const resourceError = validateResourceList(executor.resources);
  if (resourceError !== undefined) return `Executor uses invalid resources: Invalid resources: ${resourceError}`;
  const existing = ctx.existingExecutor(executor.executor_id.value);
  if (existing !== undefined && canonicalExecutor(existing) !== canonicalExecutor(executor)) {
    const rule = '------------------------------------------------------------';
    return (
      'ExecutorInfo is not compatible with existing ExecutorInfo with same ExecutorID.\n' +
      `${rule}\nExisting ExecutorInfo:\n${JSON.stringify(existing)}\n${rule}\nExecutorInfo:\n${JSON.stringify(executor)}\n${rule}\n`
    );
  }
  return undefined;
}

/** An ExecutorInfo with sorted keys and without the allocation role the master adds, for comparison. */
function canonicalExecutor(executor: ExecutorInfo): string {
  const stripped = { ...executor, resources: (executor.resources ?? []).map(({ allocation_info: _role, ...r }) => r) };
  return JSON.stringify(stripped, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );
}

/** The master fills in a missing health check type from the fields that are set. */
export function withInferredHealthCheckType(task: TaskInfo): TaskInfo {
  const hc = task.health_check;
  if (hc === undefined || hc.type !== undefined) return task;
  if (hc.command !== undefined && hc.http === undefined) return { ...task, health_check: { ...hc, type: 'COMMAND' } };
  if (hc.http !== undefined && hc.command === undefined) return { ...task, health_check: { ...hc, type: 'HTTP' } };
  return task;
}

function validateEnvironment(command: CommandInfo): string | undefined {
  for (const v of command.environment?.variables ?? []) {
    const type = v.type ?? 'VALUE';
    if (type === 'VALUE' && v.value === undefined) {
      return `Environment variable '${v.name}' of type 'VALUE' must have a value set`;
    }
    if (type === 'SECRET') return `Environment variable '${v.name}' of type 'SECRET' must have a secret set`;
    if (type === 'UNKNOWN') return "Environment variable of type 'UNKNOWN' is not allowed";
  }
  return undefined;
}

function validateVolume(volume: Volume): string | undefined {
  const count = (volume.host_path !== undefined ? 1 : 0) + (volume.source !== undefined ? 1 : 0);
  if (count !== 1) return "Only one of them should be set: 'host_path', 'image' and 'source'";
  const source = volume.source;
  if (source === undefined) return undefined;
  switch (source.type) {
    case 'DOCKER_VOLUME':
      return source.docker_volume === undefined ? "'source.docker_volume' is not set for DOCKER_VOLUME volume" : undefined;
    case 'HOST_PATH':
      return source.host_path === undefined ? "'source.host_path' is not set for HOST_PATH volume" : undefined;
    case 'SANDBOX_PATH':
      return source.sandbox_path === undefined ? "'source.sandbox_path' is not set for SANDBOX_PATH volume" : undefined;
    case 'SECRET':
      return "'source.secret' is not set for SECRET volume";
    case 'CSI_VOLUME':
      return "'source.csi_volume' is not set for CSI volume";
    default:
      return "'source.type' is unknown";
  }
}

function validateContainerInfo(container: ContainerInfo): string | undefined {
  for (const volume of container.volumes ?? []) {
    const error = validateVolume(volume);
    if (error !== undefined) return `Invalid volume: ${error}`;
  }
  if (container.type === 'DOCKER' && container.docker === undefined) {
    return "DockerInfo 'docker' is not set for DOCKER typed ContainerInfo";
  }
  return undefined;
}

function validateHealthCheck(hc: HealthCheck): string | undefined {
  if (hc.type === undefined) return "HealthCheck must specify 'type'";
  switch (hc.type) {
    case 'COMMAND': {
      if (hc.command === undefined) return "Expecting 'command' to be set for COMMAND health check";
      if (hc.command.value === undefined) {
        return `Command health check must contain ${hc.command.shell === false ? "'executable path'" : "'shell command'"}`;
      }
      const error = validateEnvironment(hc.command);
      if (error !== undefined) return `Health check's \`CommandInfo\` is invalid: ${error}`;
      break;
    }
    case 'HTTP':
      if (hc.http === undefined) return "Expecting 'http' to be set for HTTP health check";
      if (hc.http.scheme !== undefined && hc.http.scheme !== 'http' && hc.http.scheme !== 'https') {
        return `Unsupported HTTP health check scheme: '${hc.http.scheme}'`;
      }
      if (hc.http.path !== undefined && !hc.http.path.startsWith('/')) {
        return `The path '${hc.http.path}' of HTTP health check must start with '/'`;
      }
      break;
    case 'TCP':
      if (hc.tcp === undefined) return "Expecting 'tcp' to be set for TCP health check";
      break;
    case 'UNKNOWN':
      return "'UNKNOWN' is not a valid health check type";
  }
  if ((hc.delay_seconds ?? 0) < 0) return "Expecting 'delay_seconds' to be non-negative";
  if ((hc.grace_period_seconds ?? 0) < 0) return "Expecting 'grace_period_seconds' to be non-negative";
  if ((hc.interval_seconds ?? 0) < 0) return "Expecting 'interval_seconds' to be non-negative";
  if ((hc.timeout_seconds ?? 0) < 0) return "Expecting 'timeout_seconds' to be non-negative";
  return undefined;
}

function validateCheckInfo(check: CheckInfo): string | undefined {
  if (check.type === undefined) return "CheckInfo must specify 'type'";
  switch (check.type) {
    case 'COMMAND':
      if (check.command === undefined) return "Expecting 'command' to be set for COMMAND check";
      if (check.command.command.value === undefined) {
        return `Command check must contain ${check.command.command.shell === false ? "'executable path'" : "'shell command'"}`;
      }
      break;
    case 'HTTP':
      if (check.http === undefined) return "Expecting 'http' to be set for HTTP check";
      if (check.http.path !== undefined && !check.http.path.startsWith('/')) {
        return `The path '${check.http.path}' of HTTP check must start with '/'`;
      }
      break;
    case 'TCP':
      if (check.tcp === undefined) return "Expecting 'tcp' to be set for TCP check";
      break;
    case 'UNKNOWN':
      return "'UNKNOWN' is not a valid check type";
  }
  if ((check.delay_seconds ?? 0) < 0) return "Expecting 'delay_seconds' to be non-negative";
  if ((check.interval_seconds ?? 0) < 0) return "Expecting 'interval_seconds' to be non-negative";
  if ((check.timeout_seconds ?? 0) < 0) return "Expecting 'timeout_seconds' to be non-negative";
  return undefined;
}
