// POST /api/v1, the master's operator API, answered as Master::Http::api
// answers it: content negotiation, validation, then the call. Reads become
// mesos.v1.master Responses; agent and maintenance calls go to the master.

import type Koa from 'koa';
import { JSON_MEDIA, PROTOBUF, type MediaType } from '../mesos/codec.js';
import type { OperatorCall, OperatorResponse, OtherOperatorCall } from '../mesos/operator.js';
import { assertNever } from './exhaustive.js';
import { answer, methodNotAllowed, readBody, redirectToLeader, MAX_BODY_BYTES } from './httpReplies.js';
import type { Master, OperatorAnswer } from './master.js';
import { validateOperatorCall } from './operatorCallValidation.js';
import { getAgents, getExecutors, getFrameworks, getState, getTasks } from './operatorViews.js';
import { decodeMessage, encodeMessage, ProtoParseError, requestMedia } from './protoCodec.js';

const IMPLEMENTED = new Set<string>([
  'GET_HEALTH',
  'GET_STATE',
  'GET_AGENTS',
  'GET_FRAMEWORKS',
  'GET_EXECUTORS',
  'GET_TASKS',
  'GET_MASTER',
  'GET_MAINTENANCE_STATUS',
  'GET_MAINTENANCE_SCHEDULE',
  'UPDATE_MAINTENANCE_SCHEDULE',
  'START_MAINTENANCE',
  'STOP_MAINTENANCE',
  'DRAIN_AGENT',
  'DEACTIVATE_AGENT',
  'REACTIVATE_AGENT',
  'TEARDOWN',
  'MARK_AGENT_GONE',
] satisfies OperatorCall['type'][]);

export async function handleOperatorRequest(ctx: Koa.Context, master: Master): Promise<void> {
  if (!master.elected) return redirectToLeader(ctx, master.leader);
  if (ctx.method !== 'POST') return methodNotAllowed(ctx, ['POST']);
  const contentType = ctx.get('Content-Type');
  if (contentType === '') return answer(ctx, 400, "Expecting 'Content-Type' to be present");
  const media = requestMedia(contentType);
  if (media === undefined) return answer(ctx, 415, `Expecting 'Content-Type' of ${JSON_MEDIA} or ${PROTOBUF}`);
  const body = await readBody(ctx.req);
  if (body === undefined) return answer(ctx, 413, `Request body larger than ${MAX_BODY_BYTES} bytes`);

  let call: OperatorCall | OtherOperatorCall;
  try {
    call = decodeMessage<OperatorCall | OtherOperatorCall>('mesos.v1.master.Call', body, media);
  } catch (err) {
    if (err instanceof ProtoParseError) return answer(ctx, 400, err.message);
    throw err;
  }
  const invalid = validateOperatorCall(call);
  if (invalid !== undefined) return answer(ctx, 400, `Failed to validate master::Call: ${invalid}`);

  // Mesos prefers JSON whenever the Accept header allows it (no header allows anything).
  const acceptMedia: MediaType | undefined = ctx.accepts(JSON_MEDIA) !== false ? JSON_MEDIA : ctx.accepts(PROTOBUF) !== false ? PROTOBUF : undefined;
  if (acceptMedia === undefined) return answer(ctx, 406, `Expecting 'Accept' to allow '${PROTOBUF}' or '${JSON_MEDIA}'`);

  if (!IMPLEMENTED.has(call.type)) {
    return answer(ctx, 501, `The Ferry simulator does not implement the operator call ${call.type}; see docs/simulator.md for the calls it serves`);
  }
  const result = runCall(call as OperatorCall, master);
  if ('type' in result) {
    ctx.status = 200;
    ctx.body = encodeMessage('mesos.v1.master.Response', result, acceptMedia);
    ctx.set('Content-Type', acceptMedia);
    return;
  }
  if (result.status === 200) {
    ctx.status = 200;
    ctx.body = '';
    return;
  }
  answer(ctx, result.status, result.body);
}

function runCall(call: OperatorCall, master: Master): OperatorResponse | OperatorAnswer {
  switch (call.type) {
    case 'GET_HEALTH':
      return { type: 'GET_HEALTH', get_health: { healthy: true } };
    case 'GET_STATE':
      return { type: 'GET_STATE', get_state: getState(master.view()) };
    case 'GET_AGENTS':
      return { type: 'GET_AGENTS', get_agents: getAgents(master.view()) };
    case 'GET_FRAMEWORKS':
      return { type: 'GET_FRAMEWORKS', get_frameworks: getFrameworks(master.view()) };
    case 'GET_EXECUTORS':
      return { type: 'GET_EXECUTORS', get_executors: getExecutors(master.view()) };
    case 'GET_TASKS':
      return { type: 'GET_TASKS', get_tasks: getTasks(master.view()) };
    case 'GET_MASTER': {
      const view = master.view();
      return {
        type: 'GET_MASTER',
        get_master: { master_info: view.info, start_time: view.startTime, ...(view.electedTime !== undefined ? { elected_time: view.electedTime } : {}) },
      };
    }
    case 'GET_MAINTENANCE_STATUS':
      return { type: 'GET_MAINTENANCE_STATUS', get_maintenance_status: { status: master.maintenanceStatus() } };
    case 'GET_MAINTENANCE_SCHEDULE':
      return { type: 'GET_MAINTENANCE_SCHEDULE', get_maintenance_schedule: { schedule: master.maintenanceSchedule() } };
    case 'UPDATE_MAINTENANCE_SCHEDULE':
      return master.updateMaintenanceSchedule(call.update_maintenance_schedule.schedule);
    case 'START_MAINTENANCE':
      return master.startMaintenance(call.start_maintenance.machines ?? []);
    case 'STOP_MAINTENANCE':
      return master.stopMaintenance(call.stop_maintenance.machines ?? []);
    case 'DRAIN_AGENT': {
      const { agent_id, max_grace_period, mark_gone } = call.drain_agent;
      const grace = max_grace_period === undefined ? undefined : { nanoseconds: (max_grace_period.seconds ?? 0) * 1e9 + (max_grace_period.nanos ?? 0) };
      return master.drainAgent(agent_id.value, grace, mark_gone ?? false);
    }
    case 'DEACTIVATE_AGENT':
      return master.deactivateAgent(call.deactivate_agent.agent_id.value);
    case 'REACTIVATE_AGENT':
      return master.reactivateAgent(call.reactivate_agent.agent_id.value);
    case 'TEARDOWN':
      return master.teardownFramework(call.teardown.framework_id.value);
    case 'MARK_AGENT_GONE':
      return master.markAgentGone(call.mark_agent_gone.agent_id.value);
    default:
      return assertNever(call, 'operator call');
  }
}
