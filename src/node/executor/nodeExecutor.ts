// Ferry's resident node executor: one per agent, launched by the scheduler as
// a long-running task, it keeps node-plane work off a move's critical path (no
// offer wait, no process start). It reports its task RUNNING, answers
// framework messages carrying node operations, and ends when its task is
// killed or the agent shuts it down. It never decides anything: it does what
// an operation says and reports how it went.

import { randomUUID } from 'node:crypto';
import type { Logger } from '../../common/log.js';
import type { ExecutorEvent } from '../../mesos/executorTypes.js';
import type { TaskInfo, TaskState, TaskStatus } from '../../mesos/types.js';
import { AgentConnection } from './agentConnection.js';
import { encodeNodeMessage, nodeRequestSchema, type NodeReply } from './nodeOps.js';
import { OpRunner } from './opRunner.js';

export interface NodeExecutorOptions {
  endpoint: string;
  pathPrefix?: string;
  frameworkId: string;
  executorId: string;
  recoveryTimeoutMs: number;
  version: string;
  logger: Logger;
}

export class NodeExecutor {
  private readonly connection: AgentConnection;
  private readonly runner: OpRunner;
  private task: TaskInfo | undefined;
  private agentId = '';
  private done: (() => void) | undefined;
  readonly finished: Promise<void>;

  constructor(private readonly options: NodeExecutorOptions) {
    this.finished = new Promise((resolve) => (this.done = resolve));
    this.connection = new AgentConnection({
      endpoint: options.endpoint,
      ...(options.pathPrefix !== undefined ? { pathPrefix: options.pathPrefix } : {}),
      frameworkId: options.frameworkId,
      executorId: options.executorId,
      recoveryTimeoutMs: options.recoveryTimeoutMs,
      logger: options.logger,
    });
    this.runner = new OpRunner(options.logger, (reply) => this.send(reply));
    this.connection.on('event', (event) => this.handle(event));
    this.connection.on('lost', ({ reason }) => {
      options.logger.error({ reason }, 'the agent is gone; the executor ends');
      this.end();
    });
  }

  start(): void {
    this.connection.subscribe();
  }

  private handle(event: ExecutorEvent): void {
    const log = this.options.logger;
    switch (event.type) {
      case 'SUBSCRIBED':
        this.agentId = event.subscribed.agent_info.id?.value ?? '';
        log.info({ agentId: this.agentId }, 'subscribed to the agent');
        if (this.task !== undefined) this.hello();
        break;
      case 'LAUNCH':
        this.task = event.launch.task;
        this.connection.unacknowledgedTasks.set(event.launch.task.task_id.value, event.launch.task);
        void this.status('TASK_RUNNING').then(() => this.hello());
        break;
      case 'KILL':
        log.info({ taskId: event.kill.task_id.value }, 'killed: ending');
        void this.status('TASK_KILLED', 'killed by the scheduler').finally(() => setTimeout(() => this.end(), 500));
        break;
      case 'ACKNOWLEDGED':
        this.connection.acknowledged(event.acknowledged.task_id.value, event.acknowledged.uuid);
        break;
      case 'MESSAGE':
        this.onMessage(event.message.data);
        break;
      case 'SHUTDOWN':
        log.info('the agent asked the executor to shut down');
        this.end();
        break;
      case 'ERROR':
        log.error({ message: event.error.message }, 'the agent reported an error');
        break;
      case 'HEARTBEAT':
        break;
      default: {
        const never: never = event;
        log.warn({ event: never }, 'unknown executor event');
      }
    }
  }

  private onMessage(data: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
    } catch {
      this.options.logger.warn('a framework message that is not JSON was ignored');
      return;
    }
    const request = nodeRequestSchema.safeParse(parsed);
    if (!request.success) {
      const opId = typeof (parsed as { opId?: unknown }).opId === 'string' ? (parsed as { opId: string }).opId : undefined;
      this.options.logger.warn({ opId, issues: request.error.issues.map((i) => i.message) }, 'an invalid node operation was refused');
      if (opId !== undefined) {
        this.send({ kind: 'result', opId, op: 'prepare', ok: false, code: 'INVALID', message: request.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), ms: 0 });
      }
      return;
    }
    this.runner.submit(request.data.opId, request.data.request);
  }

  private hello(): void {
    this.send({ kind: 'hello', agentId: this.agentId, executorId: this.options.executorId, version: this.options.version, running: this.runner.runningOps });
  }

  private send(reply: NodeReply): void {
    this.connection.message(encodeNodeMessage(reply)).catch((err: Error) => {
      this.options.logger.warn({ err: err.message, kind: reply.kind }, 'could not send a message to the scheduler; it will ask again');
    });
  }

  private async status(state: TaskState, message?: string): Promise<void> {
    const task = this.task;
    if (task === undefined) return;
    const status: TaskStatus = {
      task_id: task.task_id,
      state,
      source: 'SOURCE_EXECUTOR',
      executor_id: { value: this.options.executorId },
      timestamp: Date.now() / 1000,
      uuid: Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64'),
      ...(message !== undefined ? { message } : {}),
    };
    await this.connection.update(status).catch((err: Error) => this.options.logger.warn({ err: err.message, state }, 'status update failed; it is re-sent on resubscription'));
  }

  private end(): void {
    this.connection.close();
    this.done?.();
  }
}
