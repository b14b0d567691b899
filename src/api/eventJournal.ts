// Turns the scheduler's durable-change notices into API events (the changed
// object's API view, or {"id","deleted":true}), numbers them, and keeps the
// last few for clients that resume with Last-Event-ID. Views are taken at the
// moment of the notice, so an event shows the state that was just written.

import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { SchedulerService, StateChange } from '../scheduler/schedulerService.js';
import { moveView } from './moveRoutes.js';
import { appSummaryView, datasetView, taskView } from './views.js';

export const EVENT_TYPES = ['app', 'dataset', 'task', 'move', 'leader', 'subscription'] as const;
export type ApiEventType = (typeof EVENT_TYPES)[number];

export interface ApiEvent {
  /** "<stream>-<sequence>": the stream changes when this process restarts, so old ids are recognised as foreign */
  id: string;
  type: ApiEventType;
  /** the event's data, already JSON */
  data: string;
}

export interface EventJournalEvents {
  event: [ApiEvent];
}

export type Resume = { ok: true; missed: ApiEvent[] } | { ok: false; reason: string };

export class EventJournal extends EventEmitter<EventJournalEvents> {
  private readonly stream = randomBytes(4).toString('hex');
  private sequence = 0;
  private readonly recent: ApiEvent[] = [];

  constructor(
    private readonly service: SchedulerService,
    private readonly selfApi: string,
    private readonly keep = 1000,
  ) {
    super();
    this.setMaxListeners(0);
    service.on('change', (change) => {
      const event = this.eventFor(change);
      if (event !== undefined) this.publish(event.type, event.data);
    });
  }

  /** The events after `lastEventId`, or why they cannot be replayed. */
  since(lastEventId: string): Resume {
    const m = /^([0-9a-f]+)-(\d+)$/.exec(lastEventId.trim());
    if (m === null || m[1] !== this.stream) return { ok: false, reason: 'the event id is not from this Ferry instance\'s current stream' };
    const after = Number(m[2]);
    if (after > this.sequence) return { ok: false, reason: 'the event id is ahead of this stream' };
    const oldest = this.recent[0] === undefined ? this.sequence + 1 : this.sequenceOf(this.recent[0]);
    if (after + 1 < oldest) return { ok: false, reason: `only the last ${this.keep} events are kept` };
    return { ok: true, missed: this.recent.filter((e) => this.sequenceOf(e) > after) };
  }

  private sequenceOf(event: ApiEvent): number {
    return Number(event.id.slice(event.id.indexOf('-') + 1));
  }

  private publish(type: ApiEventType, data: unknown): void {
    const event: ApiEvent = { id: `${this.stream}-${++this.sequence}`, type, data: JSON.stringify(data) };
    this.recent.push(event);
    if (this.recent.length > this.keep) this.recent.shift();
    this.emit('event', event);
  }

  private eventFor(change: StateChange): { type: ApiEventType; data: unknown } | undefined {
    if (change.kind === 'role') return { type: 'leader', data: { role: change.role, instance: this.selfApi } };
    if (change.kind === 'subscription') {
      return { type: 'subscription', data: { subscribed: change.subscribed, ...(change.frameworkId !== undefined ? { frameworkId: change.frameworkId } : {}) } };
    }
    // the framework record changes only on subscription, which has its own event
    if (change.kind === 'framework') return undefined;
    const world = this.service.view;
    const gone = { type: change.kind, data: { id: change.id, deleted: true } };
    if (world === undefined || change.deleted) return gone;
    switch (change.kind) {
      case 'app': {
        const app = world.apps.get(change.id);
        return app === undefined ? gone : { type: 'app', data: appSummaryView(world, app) };
      }
      case 'dataset': {
        const d = world.datasets.get(change.id);
        return d === undefined ? gone : { type: 'dataset', data: datasetView(world, d) };
      }
      case 'task': {
        const t = world.tasks.get(change.id);
        return t === undefined ? gone : { type: 'task', data: taskView(t) };
      }
      case 'move': {
        const m = world.moves.get(change.id);
        return m === undefined ? gone : { type: 'move', data: moveView(m) };
      }
      default: {
        const never: never = change;
        throw new Error(`unknown change ${JSON.stringify(never)}`);
      }
    }
  }
}
