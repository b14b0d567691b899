// Waiting for what a scheduler client hears, with a deadline instead of a
// sleep: the next event matching a predicate, or the next subscription.

import type { SchedulerEvent } from '../../src/mesos/events.js';
import type { SchedulerClient, Subscription } from '../../src/mesos/schedulerClient.js';

export function nextEvent<E extends SchedulerEvent>(
  client: SchedulerClient,
  match: (e: SchedulerEvent) => e is E,
  timeoutMs?: number,
): Promise<E>;
export function nextEvent(client: SchedulerClient, match: (e: SchedulerEvent) => boolean, timeoutMs?: number): Promise<SchedulerEvent>;
export function nextEvent(client: SchedulerClient, match: (e: SchedulerEvent) => boolean, timeoutMs = 15_000): Promise<SchedulerEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('event', onEvent);
      reject(new Error(`no matching event within ${timeoutMs} ms`));
    }, timeoutMs);
    const onEvent = (e: SchedulerEvent): void => {
      if (!match(e)) return;
      clearTimeout(timer);
      client.off('event', onEvent);
      resolve(e);
    };
    client.on('event', onEvent);
  });
}

export function nextSubscription(client: SchedulerClient, timeoutMs = 15_000): Promise<Subscription> {
  return once(client, 'subscribed', timeoutMs) as Promise<Subscription>;
}

export function once(client: SchedulerClient, name: 'subscribed' | 'disconnected' | 'terminated', timeoutMs = 15_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(name, on);
      reject(new Error(`no ${name} within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (value: unknown): void => {
      clearTimeout(timer);
      client.off(name, on);
      resolve(value);
    };
    client.on(name, on);
  });
}

/** Everything a client hears from the moment it is made, so a test can wait for an event that may already have come. */
export class EventLog {
  readonly events: SchedulerEvent[] = [];
  private waiters: { match: (e: SchedulerEvent) => boolean; resolve: (e: SchedulerEvent) => void }[] = [];

  constructor(client: SchedulerClient) {
    client.on('event', (e) => {
      this.events.push(e);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(e)) return true;
        w.resolve(e);
        return false;
      });
    });
  }

  /** The first event (past or future) matching, not yet taken by an earlier wait. */
  wait<E extends SchedulerEvent>(match: (e: SchedulerEvent) => e is E, timeoutMs = 15_000): Promise<E> {
    const past = this.events.find(match);
    if (past !== undefined) {
      this.events.splice(this.events.indexOf(past), 1);
      return Promise.resolve(past as E);
    }
    return new Promise<E>((resolve, reject) => {
      const waiter = {
        match,
        resolve: (e: SchedulerEvent) => {
          clearTimeout(timer);
          this.events.splice(this.events.indexOf(e), 1);
          resolve(e as E);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching event within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}

export function isUpdate(taskId: string, state?: string) {
  return (e: SchedulerEvent): e is Extract<SchedulerEvent, { type: 'UPDATE' }> =>
    e.type === 'UPDATE' && e.update.status.task_id.value === taskId && (state === undefined || e.update.status.state === state);
}

export function isOffers(e: SchedulerEvent): e is Extract<SchedulerEvent, { type: 'OFFERS' }> {
  return e.type === 'OFFERS' && (e.offers.offers?.length ?? 0) > 0;
}
