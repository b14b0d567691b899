// POST /api/v1/scheduler, answered as Master::Http::scheduler answers it, with
// Mesos's statuses and texts. It translates HTTP to master calls and back;
// the master decides everything else.

import type { ServerResponse } from 'node:http';
import type Koa from 'koa';
import type { Logger } from '../common/log.js';
import { CodecError, decodeCall, encodeEvent, JSON_MEDIA, PROTOBUF, type MediaType } from '../mesos/codec.js';
import type { WireCall } from '../mesos/calls.js';
import { validateCall } from './callValidation.js';
import { authenticateBasic, type Credential } from './credentials.js';
import { EventStream } from './eventStream.js';
import { answer, MAX_BODY_BYTES, methodNotAllowed, readBody, redirectToLeader } from './httpReplies.js';
import { newStreamId } from './ids.js';
import type { Master } from './master.js';

export interface SchedulerEndpointDeps {
  master(): Master;
  credentials: readonly Credential[] | undefined;
  logger: Logger;
}

const AUTH_REALM = 'mesos-master-scheduler';

export async function handleSchedulerRequest(ctx: Koa.Context, deps: SchedulerEndpointDeps): Promise<void> {
  let principal: string | undefined;
  if (deps.credentials !== undefined) {
    const auth = authenticateBasic(ctx.get('Authorization') || undefined, deps.credentials);
    if (!auth.ok) {
      ctx.set('WWW-Authenticate', `Basic realm="${AUTH_REALM}"`);
      return answer(ctx, 401, '401 Unauthorized.');
    }
    principal = auth.principal;
  }

  const master = deps.master();
  if (!master.elected) return redirectToLeader(ctx, master.leader);
  if (ctx.method !== 'POST') return methodNotAllowed(ctx, ['POST']);

  const contentType = ctx.get('Content-Type');
  if (contentType === '') return answer(ctx, 400, "Expecting 'Content-Type' to be present");
  // Mesos compares the whole header value: parameters such as "; charset=utf-8" are not accepted.
  let media: MediaType;
  if (contentType === PROTOBUF) media = PROTOBUF;
  else if (contentType === JSON_MEDIA) media = JSON_MEDIA;
  else return answer(ctx, 415, `Expecting 'Content-Type' of ${JSON_MEDIA} or ${PROTOBUF}`);

  const body = await readBody(ctx.req);
  if (body === undefined) return answer(ctx, 413, `Request body larger than ${MAX_BODY_BYTES} bytes`);

  let call: WireCall;
  try {
    call = decodeCall(body, media);
  } catch (err) {
    if (err instanceof CodecError) return answer(ctx, 400, err.message);
    throw err;
  }
  const invalid = validateCall(call, principal);
  if (invalid !== undefined) return answer(ctx, 400, `Failed to validate scheduler::Call: ${invalid}`);

  if (call.type === 'SUBSCRIBE') {
    // Mesos prefers JSON whenever the Accept header allows it (no header allows anything).
    const acceptMedia: MediaType | undefined =
      ctx.accepts(JSON_MEDIA) !== false ? JSON_MEDIA : ctx.accepts(PROTOBUF) !== false ? PROTOBUF : undefined;
    if (acceptMedia === undefined) {
      return answer(ctx, 406, `Expecting 'Accept' to allow '${PROTOBUF}' or '${JSON_MEDIA}'`);
    }
    if (ctx.get('Mesos-Stream-Id') !== '') {
      return answer(ctx, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
    }
    openStream(ctx.res, acceptMedia, master, call.subscribe, principal, deps.logger);
    ctx.respond = false;
    return;
  }

  const frameworkId = call.framework_id!.value;
  const framework = master.framework(frameworkId);
  if (framework === undefined) return answer(ctx, 400, 'Framework cannot be found');
  if (principal !== undefined && principal !== framework.info.principal) {
    return answer(
      ctx,
      400,
      `Authenticated principal '${principal}' does not match principal '${framework.info.principal ?? ''}' set in \`FrameworkInfo\``,
    );
  }
  if (!framework.connected) return answer(ctx, 403, 'Framework is not subscribed');
  const streamId = ctx.get('Mesos-Stream-Id');
  if (streamId === '') return answer(ctx, 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
  if (streamId !== framework.stream!.streamId) {
    return answer(
      ctx,
      400,
      `The stream ID '${streamId}' included in this request didn't match the stream ID currently associated with framework ID ${frameworkId}`,
    );
  }
  const result = master.handleCall(framework, call);
  if ('body' in result) return answer(ctx, result.status, result.body);
  ctx.status = result.status;
  ctx.body = '';
}

function openStream(
  res: ServerResponse,
  media: MediaType,
  master: Master,
  subscribe: Extract<WireCall, { type: 'SUBSCRIBE' }>['subscribe'],
  principal: string | undefined,
  logger: Logger,
): void {
  const streamId = newStreamId();
  res.writeHead(200, { 'Content-Type': media, 'Mesos-Stream-Id': streamId, 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  const stream = new EventStream(res, media, streamId, logger.child({ streamId }), encodeEvent);
  master.subscribe(stream, subscribe, principal);
}
