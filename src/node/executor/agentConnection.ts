// The executor side of Mesos's v1 executor HTTP API: SUBSCRIBE to the agent at
// MESOS_AGENT_ENDPOINT (JSON over a RecordIO stream), then UPDATE and MESSAGE
// calls. Resubscribes with the unacknowledged tasks and updates after the
// agent drops the stream (agent restart or recovery), for as long as the
// recovery timeout allows. It knows nothing of what the tasks do.

import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { Logger } from '../../common/log.js';
import type { ExecutorCall, ExecutorEvent } from '../../mesos/executorTypes.js';
import { RecordIODecoder } from '../../mesos/recordio.js';
import type { TaskInfo, TaskStatus } from '../../mesos/types.js';

const PATH = '/api/v1/executor';

export interface AgentConnectionOptions {
  /** host:port of the agent, from MESOS_AGENT_ENDPOINT */
  endpoint: string;
  /** a path prefix before /api/v1/executor, if the agent serves it under one */
  pathPrefix?: string;
  frameworkId: string;
  executorId: string;
  /** how long to keep trying to resubscribe after the stream drops (MESOS_RECOVERY_TIMEOUT) */
  recoveryTimeoutMs: number;
  logger: Logger;
}

export interface AgentConnectionEvents {
  event: [ExecutorEvent];
  /** the agent did not take us back within the recovery timeout */
  lost: [{ reason: string }];
}

export class AgentConnection extends EventEmitter<AgentConnectionEvents> {
  private readonly host: string;
  private readonly port: number;
  private stream: http.ClientRequest | undefined;
  private closed = false;
  private lostSince: number | undefined;
  /** tasks launched and not yet given a status the agent acknowledged, and the updates it has not acknowledged */
  readonly unacknowledgedTasks = new Map<string, TaskInfo>();
  readonly unacknowledgedUpdates = new Map<string, TaskStatus>();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  constructor(private readonly options: AgentConnectionOptions) {
    super();
    const at = options.endpoint.lastIndexOf(':');
    this.host = options.endpoint.slice(0, at);
    this.port = Number(options.endpoint.slice(at + 1));
  }

  private get path(): string {
    return `${this.options.pathPrefix ?? ''}${PATH}`;
  }

  private base(): Pick<ExecutorCall, 'executor_id' | 'framework_id'> {
    return { executor_id: { value: this.options.executorId }, framework_id: { value: this.options.frameworkId } };
  }

  subscribe(): void {
    if (this.closed) return;
    const call: ExecutorCall = {
      ...this.base(),
      type: 'SUBSCRIBE',
      subscribe: {
        unacknowledged_tasks: [...this.unacknowledgedTasks.values()],
        unacknowledged_updates: [...this.unacknowledgedUpdates.values()].map((status) => ({ status })),
      },
    };
    const body = Buffer.from(JSON.stringify(call));
    const req = http.request(
      {
        host: this.host,
        port: this.port,
        path: this.path,
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': body.byteLength },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          this.dropped(`SUBSCRIBE answered ${res.statusCode}`);
          return;
        }
        this.lostSince = undefined;
        const decoder = new RecordIODecoder();
        res.on('data', (chunk: Buffer) => {
          try {
            for (const record of decoder.decode(chunk)) this.emit('event', JSON.parse(record.toString('utf8')) as ExecutorEvent);
          } catch (err) {
            this.options.logger.error({ err: (err as Error).message }, 'malformed event stream from the agent');
            req.destroy();
          }
        });
        res.on('end', () => this.dropped('the agent closed the stream'));
        res.on('error', (err) => this.dropped(err.message));
      },
    );
    req.on('error', (err) => this.dropped(err.message));
    req.end(body);
    this.stream = req;
  }

  private dropped(reason: string): void {
    if (this.closed) return;
    this.stream?.destroy();
    this.stream = undefined;
    const now = Date.now();
    this.lostSince ??= now;
    if (now - this.lostSince > this.options.recoveryTimeoutMs) {
      this.closed = true;
      this.emit('lost', { reason: `no agent to talk to for ${this.options.recoveryTimeoutMs} ms (${reason})` });
      return;
    }
    this.options.logger.warn({ reason }, 'lost the agent connection; subscribing again');
    setTimeout(() => this.subscribe(), 1000).unref();
  }

  /** Sends a status update; it stays unacknowledged (and is re-sent on resubscription) until the agent says ACKNOWLEDGED. */
  async update(status: TaskStatus): Promise<void> {
    this.unacknowledgedUpdates.set(status.uuid!, status);
    await this.post({ ...this.base(), type: 'UPDATE', update: { status } });
  }

  acknowledged(taskId: string, uuid: string): void {
    this.unacknowledgedUpdates.delete(uuid);
    this.unacknowledgedTasks.delete(taskId);
  }

  async message(data: string): Promise<void> {
    await this.post({ ...this.base(), type: 'MESSAGE', message: { data } });
  }

  private post(call: ExecutorCall): Promise<void> {
    const body = Buffer.from(JSON.stringify(call));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          path: this.path,
          method: 'POST',
          agent: this.agent,
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': body.byteLength },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode === 202 || res.statusCode === 200) resolve();
            else reject(new Error(`${call.type} answered ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8')}`));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.closed = true;
    this.stream?.destroy();
    this.agent.destroy();
  }
}
