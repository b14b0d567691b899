// The master's checks on an operator Call (validation.cpp master::call::validate)
// for the calls whose payload the simulator declares, with upstream's messages.
// Pure: an error message or undefined; the HTTP answer prefixes
// "Failed to validate master::Call: ".

import type { OperatorCall, OtherOperatorCall } from '../mesos/operator.js';

/** The payload field each call type must carry. */
const PAYLOADS: Partial<Record<OperatorCall['type'], string>> = {
  UPDATE_MAINTENANCE_SCHEDULE: 'update_maintenance_schedule',
  START_MAINTENANCE: 'start_maintenance',
  STOP_MAINTENANCE: 'stop_maintenance',
  DRAIN_AGENT: 'drain_agent',
  DEACTIVATE_AGENT: 'deactivate_agent',
  REACTIVATE_AGENT: 'reactivate_agent',
  TEARDOWN: 'teardown',
  MARK_AGENT_GONE: 'mark_agent_gone',
};

export function validateOperatorCall(call: OperatorCall | OtherOperatorCall): string | undefined {
  if ((call as { type?: unknown }).type === undefined) return "Expecting 'type' to be present";
  const field = PAYLOADS[call.type as OperatorCall['type']];
  if (field !== undefined && (call as unknown as Record<string, unknown>)[field] === undefined) return `Expecting '${field}' to be present`;
  return undefined;
}
