// The events a Mesos master streams to a scheduler (mesos.v1.scheduler.Event),
// as a discriminated union on `type`. Shapes only: decoding lives in codec.ts.

import type {
  AgentID,
  ExecutorID,
  FrameworkID,
  InverseOffer,
  MasterInfo,
  Offer,
  OfferID,
  OperationStatus,
  TaskStatus,
} from './types.js';

export interface SubscribedEvent {
  type: 'SUBSCRIBED';
  subscribed: { framework_id: FrameworkID; heartbeat_interval_seconds?: number; master_info?: MasterInfo };
}
export interface OffersEvent { type: 'OFFERS'; offers: { offers?: Offer[] } }
export interface InverseOffersEvent { type: 'INVERSE_OFFERS'; inverse_offers: { inverse_offers?: InverseOffer[] } }
export interface RescindEvent { type: 'RESCIND'; rescind: { offer_id: OfferID } }
export interface RescindInverseOfferEvent { type: 'RESCIND_INVERSE_OFFER'; rescind_inverse_offer: { inverse_offer_id: OfferID } }
export interface UpdateEvent { type: 'UPDATE'; update: { status: TaskStatus } }
export interface UpdateOperationStatusEvent { type: 'UPDATE_OPERATION_STATUS'; update_operation_status: { status: OperationStatus } }
export interface MessageEvent {
  type: 'MESSAGE';
  /** data is base64 */
  message: { agent_id: AgentID; executor_id: ExecutorID; data: string };
}
export interface FailureEvent { type: 'FAILURE'; failure: { agent_id?: AgentID; executor_id?: ExecutorID; status?: number } }
export interface ErrorEvent { type: 'ERROR'; error: { message: string } }
export interface HeartbeatEvent { type: 'HEARTBEAT' }

export type SchedulerEvent =
  | SubscribedEvent
  | OffersEvent
  | InverseOffersEvent
  | RescindEvent
  | RescindInverseOfferEvent
  | UpdateEvent
  | UpdateOperationStatusEvent
  | MessageEvent
  | FailureEvent
  | ErrorEvent
  | HeartbeatEvent;

export type SchedulerEventType = SchedulerEvent['type'];

export const EVENT_TYPES: readonly SchedulerEventType[] = [
  'SUBSCRIBED',
  'OFFERS',
  'INVERSE_OFFERS',
  'RESCIND',
  'RESCIND_INVERSE_OFFER',
  'UPDATE',
  'UPDATE_OPERATION_STATUS',
  'MESSAGE',
  'FAILURE',
  'ERROR',
  'HEARTBEAT',
];

/** The union member for one event type, e.g. EventOf<'UPDATE'>. */
export type EventOf<T extends SchedulerEventType> = Extract<SchedulerEvent, { type: T }>;
