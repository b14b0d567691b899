// One subscriber's event stream (a scheduler's or an executor's): RecordIO
// records in the accepted media type, heartbeats, and holding events while
// paused. It decides how events are written, never which events are sent.

import type { ServerResponse } from 'node:http';
import type { Logger } from '../common/log.js';
import type { MediaType } from '../mesos/codec.js';
import type { SchedulerEvent } from '../mesos/events.js';
import { encodeRecord } from '../mesos/recordio.js';

/** Turns one event into the bytes of one record in a media type. */
export type EventEncoder<E> = (event: E, media: MediaType) => Buffer;

export class EventStream<E extends { type: string } = SchedulerEvent> {
  private closedFlag = false;
  private paused = false;
  private held: Buffer[] = [];
  private endOnResume = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    private readonly response: ServerResponse,
    readonly media: MediaType,
    readonly streamId: string,
    private readonly logger: Logger,
    private readonly encode: EventEncoder<E>,
  ) {
    const onGone = (): void => this.markClosed();
    response.on('close', onGone);
    response.on('error', onGone);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  send(event: E): void {
    if (this.closedFlag) return;
    let record: Buffer;
    try {
      record = encodeRecord(this.encode(event, this.media));
    } catch (err) {
      this.logger.error({ err, eventType: event.type }, 'cannot encode event; dropping it');
      return;
    }
    if (this.paused) this.held.push(record);
    else this.response.write(record);
  }

  /** Sends `heartbeat` every interval (none while paused), and at once unless `firstAfterInterval`. */
  startHeartbeats(intervalSeconds: number, heartbeat: E, firstAfterInterval = false): void {
    if (!firstAfterInterval) this.send(heartbeat);
    this.heartbeatTimer = setInterval(() => {
      if (!this.paused) this.send(heartbeat);
    }, intervalSeconds * 1000);
    this.heartbeatTimer.unref();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const held = this.held;
    this.held = [];
    if (this.response.writableEnded || this.response.destroyed) return;
    for (const record of held) this.response.write(record);
    if (this.endOnResume) this.response.end();
  }

  /**
   * Ends the response; the scheduler sees its stream close. A paused stream
   * closes for the master at once but, like a stalled connection, delivers
   * what it held (then its end) only when resumed.
   */
  close(): void {
    if (this.closedFlag) return;
    if (this.paused) this.endOnResume = true;
    else this.response.end();
    this.markClosed();
  }

  /** Drops the connection at once, held events and all (the master process died). */
  abort(): void {
    this.held = [];
    this.endOnResume = false;
    this.response.destroy();
    this.markClosed();
  }

  onClose(listener: () => void): void {
    if (this.closedFlag) listener();
    else this.closeListeners.push(listener);
  }

  private markClosed(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    if (!this.endOnResume) this.held = [];
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
