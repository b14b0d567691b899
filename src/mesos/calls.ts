// The calls a scheduler POSTs to a Mesos master (mesos.v1.scheduler.Call), as a
// discriminated union on `type`. Shapes only; the client adds framework_id.

import type {
  AgentID,
  ExecutorID,
  Filters,
  FrameworkID,
  FrameworkInfo,
  KillPolicy,
  OfferID,
  OfferOperation,
  Resource,
  TaskID,
} from './types.js';

export interface SubscribeCall {
  type: 'SUBSCRIBE';
  subscribe: { framework_info: FrameworkInfo; suppressed_roles?: string[] };
}
export interface TeardownCall { type: 'TEARDOWN' }
export interface AcceptCall {
  type: 'ACCEPT';
  accept: { offer_ids: OfferID[]; operations?: OfferOperation[]; filters?: Filters };
}
export interface DeclineCall { type: 'DECLINE'; decline: { offer_ids: OfferID[]; filters?: Filters } }
export interface AcceptInverseOffersCall {
  type: 'ACCEPT_INVERSE_OFFERS';
  accept_inverse_offers: { inverse_offer_ids: OfferID[]; filters?: Filters };
}
export interface DeclineInverseOffersCall {
  type: 'DECLINE_INVERSE_OFFERS';
  decline_inverse_offers: { inverse_offer_ids: OfferID[]; filters?: Filters };
}
export interface ReviveCall { type: 'REVIVE'; revive?: { roles?: string[] } }
export interface SuppressCall { type: 'SUPPRESS'; suppress?: { roles?: string[] } }
export interface KillCall { type: 'KILL'; kill: { task_id: TaskID; agent_id?: AgentID; kill_policy?: KillPolicy } }
export interface ShutdownCall { type: 'SHUTDOWN'; shutdown: { executor_id: ExecutorID; agent_id: AgentID } }
export interface AcknowledgeCall {
  type: 'ACKNOWLEDGE';
  /** uuid is base64, copied from the TaskStatus being acknowledged */
  acknowledge: { agent_id: AgentID; task_id: TaskID; uuid: string };
}
export interface ReconcileCall {
  type: 'RECONCILE';
  reconcile: { tasks?: { task_id: TaskID; agent_id?: AgentID }[] };
}
export interface MessageCall {
  type: 'MESSAGE';
  /** data is base64 */
  message: { agent_id: AgentID; executor_id: ExecutorID; data: string };
}
export interface RequestCall { type: 'REQUEST'; request: { requests?: { agent_id?: AgentID; resources?: Resource[] }[] } }
export interface UpdateFrameworkCall {
  type: 'UPDATE_FRAMEWORK';
  update_framework: { framework_info: FrameworkInfo; suppressed_roles?: string[] };
}

export type SchedulerCall =
  | SubscribeCall
  | TeardownCall
  | AcceptCall
  | DeclineCall
  | AcceptInverseOffersCall
  | DeclineInverseOffersCall
  | ReviveCall
  | SuppressCall
  | KillCall
  | ShutdownCall
  | AcknowledgeCall
  | ReconcileCall
  | MessageCall
  | RequestCall
  | UpdateFrameworkCall;

export type SchedulerCallType = SchedulerCall['type'];

/** A call as it travels: the union member plus the framework id the master needs. */
export type WireCall = SchedulerCall & { framework_id?: FrameworkID };
