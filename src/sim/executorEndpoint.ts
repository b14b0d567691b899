// POST /slave(N)/api/v1/executor, an agent's executor API, answered as the
// agent's Http::executor answers it; also the unprefixed /api/v1/executor,
// routed to the one agent running the named executor (agents share a port in
// the simulator). It translates HTTP; the agent decides.

import type { ServerResponse } from 'node:http';
import type Koa from 'koa';
import type { Logger } from '../common/log.js';
import { JSON_MEDIA, PROTOBUF, type MediaType } from '../mesos/codec.js';
import type { ExecutorCall, ExecutorEvent } from '../mesos/executorTypes.js';
import type { SimAgent } from './agent.js';
import { EventStream } from './eventStream.js';
import { validateExecutorCall } from './executorCallValidation.js';
import { answer, MAX_BODY_BYTES, methodNotAllowed, readBody } from './httpReplies.js';
import { decodeMessage, encodeMessage, ProtoParseError, requestMedia } from './protoCodec.js';

export interface ExecutorEndpointDeps {
  /** The agent whose libprocess id is "slave(N)". */
  agentByProcessId(processId: string): SimAgent | undefined;
  /** Agents running a custom executor with these ids. */
  agentsWithExecutor(frameworkId: string, executorId: string): SimAgent[];
  logger: Logger;
}

/** "/slave(N)/api/v1/executor" names agent slave(N); "/api/v1/executor" names none. */
export function executorPath(path: string): { processId: string | undefined } | undefined {
  if (path === '/api/v1/executor') return { processId: undefined };
  const match = /^\/(slave\(\d+\))\/api\/v1\/executor$/.exec(path);
  return match ? { processId: match[1]! } : undefined;
}

export async function handleExecutorRequest(ctx: Koa.Context, processId: string | undefined, deps: ExecutorEndpointDeps): Promise<void> {
  let agent: SimAgent | undefined;
  if (processId !== undefined) {
    agent = deps.agentByProcessId(processId);
    // No such libprocess process on this port: libprocess answers 404.
    if (agent === undefined) return answer(ctx, 404, '');
    if (!agent.isRunning) return refuseConnection(ctx);
  }
  if (ctx.method !== 'POST') return methodNotAllowed(ctx, ['POST']);
  const contentType = ctx.get('Content-Type');
  if (contentType === '') return answer(ctx, 400, "Expecting 'Content-Type' to be present");
  const media = requestMedia(contentType);
  if (media === undefined) return answer(ctx, 415, `Expecting 'Content-Type' of ${JSON_MEDIA} or ${PROTOBUF}`);
  const body = await readBody(ctx.req);
  if (body === undefined) return answer(ctx, 413, `Request body larger than ${MAX_BODY_BYTES} bytes`);

  let call: ExecutorCall;
  try {
    call = decodeMessage<ExecutorCall>('mesos.v1.executor.Call', body, media);
  } catch (err) {
    if (err instanceof ProtoParseError) return answer(ctx, 400, err.message);
    throw err;
  }
  const invalid = validateExecutorCall(call);
  if (invalid !== undefined) return answer(ctx, 400, `Failed to validate Executor::Call: ${invalid}`);

  let acceptMedia: MediaType = JSON_MEDIA;
  if (call.type === 'SUBSCRIBE') {
    // An empty Accept header allows anything; JSON is preferred.
    const accepted: MediaType | undefined = ctx.accepts(JSON_MEDIA) !== false ? JSON_MEDIA : ctx.accepts(PROTOBUF) !== false ? PROTOBUF : undefined;
    if (accepted === undefined) return answer(ctx, 406, `Expecting 'Accept' to allow '${PROTOBUF}' or '${JSON_MEDIA}'`);
    acceptMedia = accepted;
  } else if (call.type === 'HEARTBEAT') {
    ctx.status = 202;
    ctx.body = '';
    return;
  }

  if (agent === undefined) {
    const hosts = deps.agentsWithExecutor(call.framework_id.value, call.executor_id.value).filter((a) => a.isRunning);
    if (hosts.length > 1) {
      return answer(
        ctx,
        400,
        `Executor '${call.executor_id.value}' of framework ${call.framework_id.value} runs on several simulated agents; ` +
          'post to /slave(N)/api/v1/executor as MESOS_SLAVE_PID names it',
      );
    }
    agent = hosts[0];
    if (agent === undefined) return answer(ctx, 400, 'Framework cannot be found');
  }

  const result = agent.executorCall(call);
  switch (result.status) {
    case 200:
      ctx.respond = false;
      openStream(ctx.res, acceptMedia, deps.logger.child({ agentId: agent.id, executorId: call.executor_id.value }), result.subscribe);
      return;
    case 202:
      ctx.status = 202;
      ctx.body = '';
      return;
    default:
      return answer(ctx, result.status, result.body);
  }
}

function openStream(res: ServerResponse, media: MediaType, logger: Logger, subscribe: (stream: EventStream<ExecutorEvent>) => void): void {
  res.writeHead(200, { 'Content-Type': media, 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  const stream = new EventStream<ExecutorEvent>(res, media, '', logger, (event, m) => encodeMessage('mesos.v1.executor.Event', event, m));
  subscribe(stream);
}

/** The agent's process is gone: its connection is refused, as a dead agent's would be. */
function refuseConnection(ctx: Koa.Context): void {
  ctx.respond = false;
  ctx.req.socket.destroy();
}
