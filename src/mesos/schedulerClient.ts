// The Mesos v1 scheduler HTTP API client: one long-lived SUBSCRIBE stream of
// RecordIO events, calls POSTed with the stream's Mesos-Stream-Id, heartbeat
// watchdog, capped exponential backoff with jitter, 307 redirects to the
// leading master, master detection (static or zk://), and resubscription with
// the saved framework id after any disconnect. It knows nothing of datasets or
// of what the events mean; it never acknowledges an update by itself.

import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../common/log.js';
import { silentLogger } from '../common/log.js';
import { cpuMicrosSince } from '../common/cpuTime.js';
import { Backoff } from './backoff.js';
import { MesosCallError, MesosTransportError, NotSubscribedError } from './callErrors.js';
import type { SchedulerCall, SchedulerCallType, WireCall } from './calls.js';
import { CodecError, decodeEvent, encodeCall, parseMediaType, PROTOBUF, type MediaType } from './codec.js';
import type { SchedulerEvent } from './events.js';
import { addressFromLocation, masterBaseUrl, sameMaster, type MasterAddress } from './masterAddress.js';
import type { MasterDetector } from './masterDetector.js';
import { DEFAULT_MAX_RECORD_BYTES, RecordIODecoder, RecordIOError } from './recordio.js';
import type {
  AgentID,
  ExecutorID,
  Filters,
  FrameworkInfo,
  KillPolicy,
  MasterInfo,
  OfferID,
  OfferOperation,
  TaskID,
  TaskStatus,
} from './types.js';

const SCHEDULER_PATH = '/api/v1/scheduler';
const MAX_REDIRECTS = 5;

export interface SchedulerClientOptions {
  detector: MasterDetector;
  /** FrameworkInfo to subscribe with; set `id` to resubscribe as an existing framework */
  framework: FrameworkInfo;
  /** application/x-protobuf (default) or application/json */
  media?: MediaType;
  /** framework authentication: HTTP basic with the principal and secret */
  credential?: { principal: string; secret: string };
  /** a stream with no event for this many heartbeat intervals is dead (default 5) */
  heartbeatMisses?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** how long a call or the SUBSCRIBE answer may take (default 30 s) */
  requestTimeoutMs?: number;
  maxRecordBytes?: number;
  /** concurrent connections for calls (default 16) */
  maxCallSockets?: number;
  /**
   * Asked before every SUBSCRIBE; false means "not now" (the client waits and
   * asks again after its backoff). A leader-elected scheduler answers whether
   * it still leads, so a stale instance never subscribes over its successor.
   */
  mayConnect?: () => Promise<boolean>;
  logger?: Logger;
}

export interface Subscription {
  frameworkId: string;
  master: MasterAddress;
  streamId: string;
  heartbeatIntervalSeconds: number;
  masterInfo: MasterInfo | undefined;
  /** false for the first SUBSCRIBED of this client, true after any reconnect */
  resubscribed: boolean;
}

export type ClientState = 'idle' | 'connecting' | 'subscribed' | 'waiting' | 'stopped' | 'terminated';

/**
 * What reading an OFFERS event cost this process: CPU (user + system, all
 * threads) from the start of the handler of the socket chunk that completed
 * it, through RecordIO framing and decoding, in microseconds. The scheduler
 * adds what its decisions and calls cost (ferry_offer_event_cpu_seconds).
 */
export interface EventCost {
  readCpuMicros: number;
}

export interface SchedulerClientEvents {
  subscribed: [Subscription];
  /** cost is given for OFFERS events only: measuring every small event would cost more than it tells */
  event: [SchedulerEvent, EventCost | undefined];
  disconnected: [{ reason: string }];
  /** the master ended this framework's subscription for good (ERROR event); no resubscribe follows */
  terminated: [{ message: string }];
}

class StreamFailure extends Error {
  override name = 'StreamFailure';
}

export class SchedulerClient extends EventEmitter<SchedulerClientEvents> {
  private readonly media: MediaType;
  private readonly logger: Logger;
  private readonly backoff: Backoff;
  private readonly heartbeatMisses: number;
  private readonly requestTimeoutMs: number;
  private readonly maxRecordBytes: number;
  private readonly authorization: string | undefined;
  private readonly framework: FrameworkInfo;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  private stateValue: ClientState = 'idle';
  private subscription: Subscription | undefined;
  private streamRequest: http.ClientRequest | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** a master a redirect pointed at; tried before asking the detector again */
  private preferred: MasterAddress | undefined;
  private everSubscribed = false;
  private readonly onDetectorChange = (leader: MasterAddress | undefined): void => this.masterChanged(leader);

  constructor(private readonly options: SchedulerClientOptions) {
    super();
    this.media = options.media ?? PROTOBUF;
    this.logger = options.logger ?? silentLogger();
    this.backoff = new Backoff(options.backoff ?? { initialMs: 250, maxMs: 15_000 });
    this.heartbeatMisses = options.heartbeatMisses ?? 5;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.framework = structuredClone(options.framework);
    if (options.credential) {
      this.authorization = 'Basic ' + Buffer.from(`${options.credential.principal}:${options.credential.secret}`).toString('base64');
      this.framework.principal ??= options.credential.principal;
    }
    const maxSockets = options.maxCallSockets ?? 16;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets });
  }

  get state(): ClientState {
    return this.stateValue;
  }

  /** The framework id: given at construction or assigned by the master on first SUBSCRIBED. */
  get frameworkId(): string | undefined {
    return this.framework.id?.value;
  }

  get current(): Subscription | undefined {
    return this.subscription;
  }

  /** Starts subscribing; events flow until stop() or a terminating ERROR. */
  async start(): Promise<void> {
    if (this.stateValue !== 'idle') throw new Error(`the scheduler client cannot start from state ${this.stateValue}`);
    this.options.detector.on('change', this.onDetectorChange);
    await this.options.detector.start();
    this.connect();
  }

  /** Closes the stream and stops every retry; calls afterwards fail with NotSubscribedError. */
  async stop(): Promise<void> {
    if (this.stateValue === 'stopped') return;
    const wasSubscribed = this.subscription !== undefined;
    this.stateValue = 'stopped';
    this.options.detector.off('change', this.onDetectorChange);
    clearTimeout(this.retryTimer);
    this.dropStream();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    await this.options.detector.stop();
    if (wasSubscribed) this.emit('disconnected', { reason: 'stopped' });
  }

  // ---- subscription ----------------------------------------------------------------

  private connect(): void {
    if (this.stateValue === 'stopped' || this.stateValue === 'terminated') return;
    this.stateValue = 'connecting';
    void this.subscribeOnce().catch((err: Error) => this.lost(err.message));
  }

  private async subscribeOnce(): Promise<void> {
    if (this.options.mayConnect !== undefined && !(await this.options.mayConnect())) {
      throw new StreamFailure('not allowed to subscribe now (leadership not confirmed)');
    }
    if (this.stateValue !== 'connecting') return;
    let master = this.preferred ?? (await this.options.detector.leader());
    if (this.stateValue !== 'connecting') return;
    for (let redirects = 0; ; redirects++) {
      const outcome = await this.openStream(master);
      if (outcome.kind === 'stream') return;
      if (redirects >= MAX_REDIRECTS) throw new StreamFailure(`more than ${MAX_REDIRECTS} redirects while subscribing`);
      this.logger.info({ from: masterBaseUrl(master), to: masterBaseUrl(outcome.to) }, 'master redirected SUBSCRIBE to the leading master');
      master = outcome.to;
      this.preferred = master;
    }
  }

  private subscribeCall(): WireCall {
    const call: WireCall = { type: 'SUBSCRIBE', subscribe: { framework_info: this.framework } };
    if (this.framework.id) call.framework_id = this.framework.id;
    return call;
  }

  private openStream(master: MasterAddress): Promise<{ kind: 'stream' } | { kind: 'redirect'; to: MasterAddress }> {
    return new Promise((resolveOutcome, rejectOutcome) => {
      let settled = false;
      const resolve = (v: { kind: 'stream' } | { kind: 'redirect'; to: MasterAddress }): void => {
        settled = true;
        resolveOutcome(v);
      };
      const reject = (err: Error): void => {
        settled = true;
        rejectOutcome(err);
      };
      const body = encodeCall(this.subscribeCall(), this.media);
      const transport = master.scheme === 'https' ? https : http;
      const req = transport.request(
        {
          host: master.host,
          port: master.port,
          path: SCHEDULER_PATH,
          method: 'POST',
          agent: false,
          headers: this.headers(body.byteLength, undefined),
          timeout: this.requestTimeoutMs,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status === 307) {
            res.resume();
            const location = res.headers.location;
            if (!location) {
              reject(new StreamFailure('the master answered 307 without a Location'));
              return;
            }
            try {
              resolve({ kind: 'redirect', to: addressFromLocation(location, master) });
            } catch (err) {
              reject(err as Error);
            }
            return;
          }
          if (status !== 200) {
            readBody(res).then(
              (text) => reject(new StreamFailure(`SUBSCRIBE to ${masterBaseUrl(master)} answered ${status}: ${text || '(no message)'}`)),
              reject,
            );
            return;
          }
          const streamId = header(res.headers['mesos-stream-id']);
          const media = parseMediaType(header(res.headers['content-type'])) ?? this.media;
          if (!streamId) {
            res.destroy();
            reject(new StreamFailure('the master opened a stream without a Mesos-Stream-Id'));
            return;
          }
          req.setTimeout(0);
          this.streamRequest = req;
          resolve({ kind: 'stream' });
          this.readStream(res, master, streamId, media);
        },
      );
      req.on('timeout', () => req.destroy(new StreamFailure(`SUBSCRIBE to ${masterBaseUrl(master)} got no answer in ${this.requestTimeoutMs} ms`)));
      req.on('error', (err) => {
        if (this.streamRequest === req) {
          this.lost(`stream from ${masterBaseUrl(master)} failed: ${err.message}`);
        } else if (!settled) {
          if (sameMaster(master, this.preferred)) this.preferred = undefined;
          this.options.detector.reportFailure(master);
          reject(err);
        }
      });
      req.end(body);
    });
  }

  private readStream(res: http.IncomingMessage, master: MasterAddress, streamId: string, media: MediaType): void {
    const decoder = new RecordIODecoder({ maxRecordBytes: this.maxRecordBytes });
    const req = this.streamRequest;
    let first = true;
    res.on('data', (chunk: Buffer) => {
      if (this.streamRequest !== req) return;
      const chunkCpu = process.cpuUsage();
      let records: Buffer[];
      try {
        records = decoder.decode(chunk);
      } catch (err) {
        const reason = err instanceof RecordIOError ? err.message : String(err);
        this.logger.error({ master: masterBaseUrl(master), err: reason }, 'malformed event stream from the master; reconnecting');
        this.lost(reason);
        return;
      }
      for (const record of records) {
        if (this.streamRequest !== req) return;
        let event: SchedulerEvent;
        try {
          event = decodeEvent(record, media);
        } catch (err) {
          const reason = err instanceof CodecError ? err.message : String(err);
          this.logger.error({ master: masterBaseUrl(master), err: reason }, 'undecodable event from the master; reconnecting');
          this.lost(reason);
          return;
        }
        if (first) {
          first = false;
          if (event.type !== 'SUBSCRIBED' && event.type !== 'ERROR') {
            this.lost(`the stream began with ${event.type} instead of SUBSCRIBED`);
            return;
          }
        }
        this.handleEvent(event, master, streamId, event.type === 'OFFERS' ? { readCpuMicros: cpuMicrosSince(chunkCpu) } : undefined);
      }
    });
    res.on('end', () => {
      if (this.streamRequest === req) this.lost(`the master at ${masterBaseUrl(master)} closed the event stream`);
    });
    res.on('error', (err) => {
      if (this.streamRequest === req) this.lost(`the event stream from ${masterBaseUrl(master)} broke: ${err.message}`);
    });
  }

  private handleEvent(event: SchedulerEvent, master: MasterAddress, streamId: string, cost: EventCost | undefined): void {
    this.armWatchdog();
    if (event.type === 'SUBSCRIBED') {
      const s = event.subscribed;
      this.framework.id = { value: s.framework_id.value };
      this.subscription = {
        frameworkId: s.framework_id.value,
        master,
        streamId,
        heartbeatIntervalSeconds: s.heartbeat_interval_seconds ?? 15,
        masterInfo: s.master_info,
        resubscribed: this.everSubscribed,
      };
      this.everSubscribed = true;
      this.stateValue = 'subscribed';
      this.backoff.reset();
      this.armWatchdog();
      this.logger.info(
        { frameworkId: s.framework_id.value, master: masterBaseUrl(master), resubscribed: this.subscription.resubscribed },
        'subscribed to the Mesos master',
      );
      this.emit('subscribed', this.subscription);
    }
    this.deliver(event, cost);
    if (event.type === 'ERROR') this.terminate(event.error.message);
  }

  private deliver(event: SchedulerEvent, cost: EventCost | undefined): void {
    try {
      this.emit('event', event, cost);
    } catch (err) {
      this.logger.error({ type: event.type, err: (err as Error).message }, 'a scheduler event handler threw');
    }
  }

  private armWatchdog(): void {
    clearTimeout(this.watchdog);
    const interval = this.subscription?.heartbeatIntervalSeconds;
    if (interval === undefined) return;
    const limitMs = interval * 1000 * this.heartbeatMisses;
    this.watchdog = setTimeout(() => this.lost(`no event from the master for ${this.heartbeatMisses} heartbeat intervals (${limitMs} ms)`), limitMs);
  }

  private dropStream(): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    const req = this.streamRequest;
    this.streamRequest = undefined;
    this.subscription = undefined;
    req?.destroy();
  }

  /** The stream is gone: tell listeners, wait out the backoff, subscribe again. */
  private lost(reason: string): void {
    if (this.stateValue === 'stopped' || this.stateValue === 'terminated') return;
    const wasSubscribed = this.subscription !== undefined;
    this.dropStream();
    const delay = this.backoff.next();
    this.stateValue = 'waiting';
    this.logger.warn({ reason, retryInMs: delay, frameworkId: this.frameworkId }, 'disconnected from the Mesos master');
    if (wasSubscribed) this.emit('disconnected', { reason });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private terminate(message: string): void {
    this.logger.error({ frameworkId: this.frameworkId, message }, 'the Mesos master ended this framework; not resubscribing');
    this.dropStream();
    this.stateValue = 'terminated';
    clearTimeout(this.retryTimer);
    this.emit('disconnected', { reason: `master sent ERROR: ${message}` });
    this.emit('terminated', { message });
  }

  private masterChanged(leader: MasterAddress | undefined): void {
    this.preferred = undefined;
    const connectedTo = this.subscription?.master;
    if (connectedTo && leader && sameMaster(connectedTo, leader)) return;
    if (this.stateValue === 'subscribed') {
      this.lost(leader ? `the leading master is now ${masterBaseUrl(leader)}` : 'no master leads any more');
    }
  }

  // ---- calls ----------------------------------------------------------------------

  private headers(length: number, streamId: string | undefined): http.OutgoingHttpHeaders {
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': this.media,
      Accept: this.media,
      'Content-Length': length,
    };
    if (streamId !== undefined) headers['Mesos-Stream-Id'] = streamId;
    if (this.authorization !== undefined) headers['Authorization'] = this.authorization;
    return headers;
  }

  /**
   * Sends one call on the current subscription; resolves on 202, rejects with
   * a typed error otherwise. A call that meets a kept-alive connection the
   * master closed while it sat idle is sent once more on a new connection of
   * its own, not another pooled one that may be just as stale (every
   * scheduler call tolerates being received twice).
   */
  async call(call: SchedulerCall): Promise<void> {
    try {
      await this.callOnce(call);
    } catch (err) {
      if (!(err instanceof MesosTransportError) || !isStaleConnection(err.cause)) throw err;
      this.logger.debug({ call: call.type }, 'the master closed an idle connection; sending again');
      await this.callOnce(call, true);
    }
  }

  private callOnce(call: SchedulerCall, newConnection = false): Promise<void> {
    const sub = this.subscription;
    if (sub === undefined || this.stateValue !== 'subscribed') return Promise.reject(new NotSubscribedError(call.type));
    const wire: WireCall = { ...call, framework_id: { value: sub.frameworkId } };
    const body = encodeCall(wire, this.media);
    const master = sub.master;
    const transport = master.scheme === 'https' ? https : http;
    return new Promise<void>((resolve, reject) => {
      const req = transport.request(
        {
          host: master.host,
          port: master.port,
          path: SCHEDULER_PATH,
          method: 'POST',
          agent: newConnection ? false : master.scheme === 'https' ? this.httpsAgent : this.httpAgent,
          headers: this.headers(body.byteLength, sub.streamId),
          timeout: this.requestTimeoutMs,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          readBody(res).then((text) => {
            if (status === 202 || status === 200) {
              resolve();
              return;
            }
            if (status === 307 && this.subscription === sub) {
              this.lost(`${call.type} was redirected: ${masterBaseUrl(master)} no longer leads`);
            }
            reject(new MesosCallError(call.type, status, text.trim()));
          }, (err: Error) => reject(new MesosTransportError(call.type, err)));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer in ${this.requestTimeoutMs} ms`)));
      req.on('error', (err) => reject(new MesosTransportError(call.type, err)));
      req.end(body);
    });
  }

  accept(offerIds: OfferID[], operations: OfferOperation[], filters?: Filters): Promise<void> {
    return this.call({ type: 'ACCEPT', accept: { offer_ids: offerIds, operations, ...(filters ? { filters } : {}) } });
  }

  decline(offerIds: OfferID[], filters?: Filters): Promise<void> {
    return this.call({ type: 'DECLINE', decline: { offer_ids: offerIds, ...(filters ? { filters } : {}) } });
  }

  acceptInverseOffers(ids: OfferID[], filters?: Filters): Promise<void> {
    return this.call({ type: 'ACCEPT_INVERSE_OFFERS', accept_inverse_offers: { inverse_offer_ids: ids, ...(filters ? { filters } : {}) } });
  }

  declineInverseOffers(ids: OfferID[], filters?: Filters): Promise<void> {
    return this.call({ type: 'DECLINE_INVERSE_OFFERS', decline_inverse_offers: { inverse_offer_ids: ids, ...(filters ? { filters } : {}) } });
  }

  revive(roles?: string[]): Promise<void> {
    return this.call({ type: 'REVIVE', revive: roles ? { roles } : {} });
  }

  suppress(roles?: string[]): Promise<void> {
    return this.call({ type: 'SUPPRESS', suppress: roles ? { roles } : {} });
  }

  kill(taskId: TaskID, agentId?: AgentID, killPolicy?: KillPolicy): Promise<void> {
    return this.call({
      type: 'KILL',
      kill: { task_id: taskId, ...(agentId ? { agent_id: agentId } : {}), ...(killPolicy ? { kill_policy: killPolicy } : {}) },
    });
  }

  shutdown(executorId: ExecutorID, agentId: AgentID): Promise<void> {
    return this.call({ type: 'SHUTDOWN', shutdown: { executor_id: executorId, agent_id: agentId } });
  }

  /** Acknowledges a status update; only updates carrying a uuid may be acknowledged. */
  acknowledge(status: TaskStatus): Promise<void> {
    if (status.uuid === undefined || status.agent_id === undefined) {
      return Promise.reject(new Error(`status update for ${status.task_id.value} carries no uuid or agent id: nothing to acknowledge`));
    }
    return this.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } });
  }

  /** Explicit reconciliation of the given tasks; an empty list asks for every task (implicit). */
  reconcile(tasks: { task_id: TaskID; agent_id?: AgentID }[]): Promise<void> {
    return this.call({ type: 'RECONCILE', reconcile: { tasks } });
  }

  message(agentId: AgentID, executorId: ExecutorID, data: Buffer): Promise<void> {
    return this.call({ type: 'MESSAGE', message: { agent_id: agentId, executor_id: executorId, data: data.toString('base64') } });
  }

  teardown(): Promise<void> {
    return this.call({ type: 'TEARDOWN' });
  }

  /** Changes FrameworkInfo (e.g. webui_url, roles) without resubscribing. */
  async updateFramework(info: FrameworkInfo): Promise<void> {
    const id = this.framework.id;
    if (id === undefined) throw new NotSubscribedError('UPDATE_FRAMEWORK');
    const updated: FrameworkInfo = { ...info, id };
    await this.call({ type: 'UPDATE_FRAMEWORK', update_framework: { framework_info: updated } });
    Object.assign(this.framework, updated);
  }
}

export type { SchedulerCallType };

/** A reused keep-alive socket the other side had closed: the request never reached the master. */
function isStaleConnection(err: Error): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ECONNRESET' || code === 'EPIPE' || err.message === 'socket hang up';
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
