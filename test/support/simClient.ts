// A deliberately raw scheduler for simulator tests: plain node:http requests,
// the RecordIO decoder and the codec, nothing from Ferry's scheduler client.
// It records every event of a subscription and lets a test wait for the ones
// it cares about, with a timeout instead of a sleep.

import { request, type IncomingMessage } from 'node:http';
import type { WireCall } from '../../src/mesos/calls.js';
import { decodeEvent, encodeCall, JSON_MEDIA, type MediaType } from '../../src/mesos/codec.js';
import type { EventOf, SchedulerEvent, SchedulerEventType } from '../../src/mesos/events.js';
import type { FrameworkInfo, Offer, TaskInfo, TaskStatus } from '../../src/mesos/types.js';
import { RecordIODecoder } from '../../src/mesos/recordio.js';

export interface HttpAnswer {
  status: number;
  body: string;
  headers: IncomingMessage['headers'];
}

export interface CallOptions {
  media?: MediaType;
  streamId?: string;
  headers?: Record<string, string>;
}

/** POSTs one call (or raw bytes) to /api/v1/scheduler and returns the whole answer. */
export function postCall(baseUrl: string, call: WireCall | Buffer | string, options: CallOptions = {}): Promise<HttpAnswer> {
  const media = options.media ?? JSON_MEDIA;
  const body = typeof call === 'string' ? Buffer.from(call) : Buffer.isBuffer(call) ? call : encodeCall(call, media);
  const headers: Record<string, string> = { 'Content-Type': media, ...(options.headers ?? {}) };
  if (options.streamId !== undefined) headers['Mesos-Stream-Id'] = options.streamId;
  return httpRequest(`${baseUrl}/api/v1/scheduler`, 'POST', headers, body);
}

export function httpRequest(url: string, method: string, headers: Record<string, string>, body?: Buffer): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, Connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const answer = await httpRequest(url, 'GET', {});
  return { status: answer.status, body: JSON.parse(answer.body) as T };
}

export interface SubscribeOptions {
  media?: MediaType;
  accept?: string;
  /** Acknowledge every update that carries a uuid as soon as it arrives. */
  autoAck?: boolean;
  headers?: Record<string, string>;
}

type Waiter = { take: boolean; match: (e: SchedulerEvent, index: number) => boolean; resolve: (e: SchedulerEvent) => void };

/** One open SUBSCRIBE stream. */
export class SimSubscription {
  readonly events: SchedulerEvent[] = [];
  frameworkId = '';
  private readonly taken = new Set<number>();
  private readonly usedOffers = new Set<string>();
  private waiters: Waiter[] = [];
  private closedFlag = false;
  private closeWaiters: (() => void)[] = [];
  private response: IncomingMessage | undefined;

  constructor(
    readonly baseUrl: string,
    readonly streamId: string,
    readonly media: MediaType,
    private readonly autoAck: boolean,
  ) {}

  get closed(): boolean {
    return this.closedFlag;
  }

  attach(response: IncomingMessage): void {
    this.response = response;
    const decoder = new RecordIODecoder();
    response.on('data', (chunk: Buffer) => {
      for (const record of decoder.decode(chunk)) this.received(decodeEvent(record, this.media));
    });
    const end = (): void => {
      if (this.closedFlag) return;
      this.closedFlag = true;
      for (const w of this.closeWaiters.splice(0)) w();
    };
    response.on('end', end);
    response.on('close', end);
    response.on('error', end);
  }

  private received(event: SchedulerEvent): void {
    if (event.type === 'SUBSCRIBED') this.frameworkId = event.subscribed.framework_id.value;
    this.events.push(event);
    const index = this.events.length - 1;
    if (this.autoAck && event.type === 'UPDATE' && event.update.status.uuid !== undefined) {
      // An acknowledgement racing the end of a test may meet a closed server; that is not a failure.
      this.acknowledge(event.update.status).catch(() => undefined);
    }
    for (const waiter of [...this.waiters]) {
      if (!waiter.match(event, index)) continue;
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(event);
      if (waiter.take) {
        this.taken.add(index);
        break;
      }
    }
  }

  /** The first event of a type not yet returned that matches; waits up to timeoutMs for it. */
  next<T extends SchedulerEventType>(type: T, match: (e: EventOf<T>) => boolean = () => true, timeoutMs = 10_000): Promise<EventOf<T>> {
    return this.nextOf((e) => e.type === type && match(e as EventOf<T>), timeoutMs, type) as Promise<EventOf<T>>;
  }

  /** The first event not yet returned that matches; waits up to timeoutMs for it. */
  nextOf(matches: (e: SchedulerEvent, index: number) => boolean, timeoutMs = 10_000, what = 'matching', take = true): Promise<SchedulerEvent> {
    for (let i = 0; i < this.events.length; i++) {
      if (!this.taken.has(i) && matches(this.events[i]!, i)) {
        if (take) this.taken.add(i);
        return Promise.resolve(this.events[i]!);
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no ${what} event within ${timeoutMs} ms; the last events were ${this.events.slice(-15).map(describe).join(', ')}`));
      }, timeoutMs);
      const waiter: Waiter = {
        take,
        match: matches,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /**
   * An offer not yet taken by takeOffer and not rescinded (optionally on a given
   * agent), waiting for the next OFFERS event when none is at hand.
   */
  async takeOffer(agentId?: string, timeoutMs = 10_000): Promise<Offer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rescinded = new Set(this.all('RESCIND').map((e) => e.rescind.offer_id.value));
      for (const event of this.all('OFFERS')) {
        for (const offer of event.offers.offers ?? []) {
          if (this.usedOffers.has(offer.id.value) || rescinded.has(offer.id.value)) continue;
          if (agentId !== undefined && offer.agent_id.value !== agentId) continue;
          this.usedOffers.add(offer.id.value);
          return offer;
        }
      }
      const count = this.events.length;
      await this.nextOf((_, index) => index >= count && (_.type === 'OFFERS' || _.type === 'RESCIND'), Math.max(1, deadline - Date.now()), 'OFFERS', false);
    }
  }

  /** Events of a type received so far, taken or not. */
  all<T extends SchedulerEventType>(type: T): EventOf<T>[] {
    return this.events.filter((e) => e.type === type) as EventOf<T>[];
  }

  /** The next UPDATE for a task, optionally in a given state. */
  update(taskId: string, state?: TaskStatus['state'], timeoutMs = 10_000): Promise<TaskStatus> {
    return this.next('UPDATE', (e) => e.update.status.task_id.value === taskId && (state === undefined || e.update.status.state === state), timeoutMs).then(
      (e) => e.update.status,
    );
  }

  /** Resolves with true once the stream has closed, false after timeoutMs. */
  waitClosed(timeoutMs = 10_000): Promise<boolean> {
    if (this.closedFlag) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  call(call: WireCall, options: CallOptions = {}): Promise<HttpAnswer> {
    const withId = call.type === 'SUBSCRIBE' ? call : { ...call, framework_id: { value: this.frameworkId } };
    return postCall(this.baseUrl, withId as WireCall, { media: this.media, streamId: this.streamId, ...options });
  }

  acknowledge(status: TaskStatus): Promise<HttpAnswer> {
    return this.call({
      type: 'ACKNOWLEDGE',
      acknowledge: { agent_id: status.agent_id!, task_id: status.task_id, uuid: status.uuid! },
    });
  }

  /** ACCEPT one offer with LAUNCH of the given tasks. */
  launch(offerId: string, tasks: TaskInfo[], refuseSeconds?: number): Promise<HttpAnswer> {
    return this.call({
      type: 'ACCEPT',
      accept: {
        offer_ids: [{ value: offerId }],
        operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }],
        ...(refuseSeconds !== undefined ? { filters: { refuse_seconds: refuseSeconds } } : {}),
      },
    });
  }

  close(): void {
    this.response?.destroy();
  }
}

/** Opens a SUBSCRIBE stream; resolves once SUBSCRIBED (or a non-200 answer) arrived. */
export async function subscribe(baseUrl: string, framework: FrameworkInfo, options: SubscribeOptions = {}): Promise<SimSubscription> {
  const media = options.media ?? JSON_MEDIA;
  const call: WireCall = { type: 'SUBSCRIBE', subscribe: { framework_info: framework }, ...(framework.id !== undefined ? { framework_id: framework.id } : {}) };
  const body = encodeCall(call, media);
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(`${baseUrl}/api/v1/scheduler`, {
      method: 'POST',
      headers: { 'Content-Type': media, Accept: options.accept ?? media, ...(options.headers ?? {}) },
    });
    req.on('response', resolve);
    req.on('error', reject);
    req.end(body);
  });
  if (response.statusCode !== 200) {
    const chunks: Buffer[] = [];
    for await (const c of response) chunks.push(c as Buffer);
    throw new Error(`SUBSCRIBE answered ${response.statusCode}: ${Buffer.concat(chunks).toString('utf8')}`);
  }
  const streamId = String(response.headers['mesos-stream-id'] ?? '');
  const responseMedia = (response.headers['content-type'] as MediaType | undefined) ?? media;
  const sub = new SimSubscription(baseUrl, streamId, responseMedia, options.autoAck ?? false);
  sub.attach(response);
  const first = await sub.nextOf((e) => e.type === 'SUBSCRIBED' || e.type === 'ERROR');
  if (first.type === 'ERROR') throw new Error(`subscription refused: ${first.error.message}`);
  return sub;
}

/** A framework as the reference recordings subscribed (MULTI_ROLE and PARTITION_AWARE). */
export function frameworkInfo(overrides: Partial<FrameworkInfo> = {}): FrameworkInfo {
  return {
    user: 'root',
    name: 'sim-test',
    failover_timeout: 600,
    roles: ['*'],
    capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }],
    ...overrides,
  };
}

/** A command task on an agent, 0.1 cpus and 16 MB like the reference recordings. */
export function commandTask(taskId: string, agentId: string, command: string, overrides: Partial<TaskInfo> = {}): TaskInfo {
  return {
    name: taskId,
    task_id: { value: taskId },
    agent_id: { value: agentId },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 16 } },
    ],
    command: { value: command },
    ...overrides,
  };
}

function describe(e: SchedulerEvent): string {
  if (e.type === 'UPDATE') return `UPDATE(${e.update.status.task_id.value} ${e.update.status.state})`;
  return e.type;
}
