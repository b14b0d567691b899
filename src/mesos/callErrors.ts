// Typed failures of calls to a Mesos master, carrying what the master said so
// that logs and API answers can show it. A 202 is success; everything else
// becomes one of these.

import type { SchedulerCallType } from './calls.js';

/** The master answered the call with a status other than 202/200. */
export class MesosCallError extends Error {
  override name = 'MesosCallError';
  constructor(
    readonly callType: SchedulerCallType,
    readonly status: number,
    /** the master's own explanation (its plain-text body) */
    readonly masterMessage: string,
  ) {
    super(`Mesos master refused ${callType} with ${status}: ${masterMessage || '(no message)'}`);
  }

  /** 4xx: the call itself (or its stream id) is wrong; repeating it as is will not help. */
  get isClientError(): boolean {
    return this.status >= 400 && this.status < 500;
  }
}

/** There is no live subscription to send the call on. */
export class NotSubscribedError extends Error {
  override name = 'NotSubscribedError';
  constructor(readonly callType: SchedulerCallType) {
    super(`cannot send ${callType}: not subscribed to a Mesos master`);
  }
}

/** The call could not reach the master or got no answer in time. */
export class MesosTransportError extends Error {
  override name = 'MesosTransportError';
  constructor(
    readonly callType: SchedulerCallType,
    override readonly cause: Error,
  ) {
    super(`${callType} to the Mesos master failed: ${cause.message}`);
  }
}
