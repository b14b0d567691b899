// An agent's status update manager: per task, one update in flight, in order,
// re-sent with backoff until acknowledged. It carries and retries updates;
// it never decides a task's state.

import type { TaskStatus } from '../mesos/types.js';
import { isTerminalTaskState } from '../mesos/types.js';

export interface StatusUpdateManagerOptions {
  initialRetryMs: number;
  maxRetryMs: number;
  send(frameworkId: string, status: TaskStatus): void;
}

interface UpdateStream {
  frameworkId: string;
  taskId: string;
  pending: TaskStatus[];
  retryMs: number;
  timer: NodeJS.Timeout | undefined;
  /** A terminal update has been queued: nothing more is accepted for the task. */
  terminated: boolean;
}

export type AcknowledgeResult = 'acknowledged' | 'stream-finished' | 'unexpected';

export class StatusUpdateManager {
  private readonly streams = new Map<string, UpdateStream>();

  constructor(private readonly options: StatusUpdateManagerOptions) {}

  /** Queues an update; it leaves at once when nothing else of the task awaits acknowledgement. */
  update(frameworkId: string, status: TaskStatus): void {
    const key = streamKey(frameworkId, status.task_id.value);
    let stream = this.streams.get(key);
    if (stream === undefined) {
      stream = { frameworkId, taskId: status.task_id.value, pending: [], retryMs: this.options.initialRetryMs, timer: undefined, terminated: false };
      this.streams.set(key, stream);
    }
    if (stream.terminated) return;
    if (isTerminalTaskState(status.state)) stream.terminated = true;
    stream.pending.push(status);
    if (stream.pending.length === 1) this.sendHead(stream);
  }

  /** Handles an acknowledgement; only the head's uuid counts, anything else is ignored. */
  acknowledge(frameworkId: string, taskId: string, uuid: string): AcknowledgeResult {
    const stream = this.streams.get(streamKey(frameworkId, taskId));
    const head = stream?.pending[0];
    if (stream === undefined || head?.uuid === undefined || !Buffer.from(head.uuid, 'base64').equals(Buffer.from(uuid, 'base64'))) {
      return 'unexpected';
    }
    clearTimeout(stream.timer);
    stream.timer = undefined;
    stream.pending.shift();
    stream.retryMs = this.options.initialRetryMs;
    if (stream.pending.length > 0) {
      this.sendHead(stream);
      return 'acknowledged';
    }
    if (stream.terminated) {
      this.streams.delete(streamKey(frameworkId, taskId));
      return 'stream-finished';
    }
    return 'acknowledged';
  }

  /** The update of the task waiting for acknowledgement, if any. */
  head(frameworkId: string, taskId: string): TaskStatus | undefined {
    return this.streams.get(streamKey(frameworkId, taskId))?.pending[0];
  }

  hasPending(frameworkId: string, taskId: string): boolean {
    return (this.streams.get(streamKey(frameworkId, taskId))?.pending.length ?? 0) > 0;
  }

  /** Sends every waiting head again now (of one framework, or all): after a reconnection. */
  resend(frameworkId?: string): void {
    for (const stream of this.streams.values()) {
      if (frameworkId !== undefined && stream.frameworkId !== frameworkId) continue;
      if (stream.pending.length === 0) continue;
      clearTimeout(stream.timer);
      stream.retryMs = this.options.initialRetryMs;
      this.sendHead(stream);
    }
  }

  removeFramework(frameworkId: string): void {
    for (const [key, stream] of this.streams) {
      if (stream.frameworkId !== frameworkId) continue;
      clearTimeout(stream.timer);
      this.streams.delete(key);
    }
  }

  /** Forgets everything (the agent's host went down). */
  clear(): void {
    for (const stream of this.streams.values()) clearTimeout(stream.timer);
    this.streams.clear();
  }

  private sendHead(stream: UpdateStream): void {
    const head = stream.pending[0];
    if (head === undefined) return;
    this.options.send(stream.frameworkId, head);
    stream.timer = setTimeout(() => {
      stream.timer = undefined;
      stream.retryMs = Math.min(stream.retryMs * 2, this.options.maxRetryMs);
      this.sendHead(stream);
    }, stream.retryMs);
    stream.timer.unref();
  }
}

function streamKey(frameworkId: string, taskId: string): string {
  return `${frameworkId}\n${taskId}`;
}
