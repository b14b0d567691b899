import t from 'tap';
import { encodeCall, JSON_MEDIA, PROTOBUF } from '../../src/mesos/codec.js';
import { commandTask, frameworkInfo, httpRequest, postCall, subscribe } from '../support/simClient.js';
import { startSim } from '../support/simHarness.js';

t.test('bad requests get the answers a Mesos master gives', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const url = `${sim.url}/api/v1/scheduler`;
  const subscribeBody = encodeCall({ type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo() } }, JSON_MEDIA);
  const answer = async (p: Promise<{ status: number; body: string }>) => {
    const a = await p;
    return { status: a.status, body: a.body };
  };

  t.same(await answer(httpRequest(url, 'POST', {}, subscribeBody)), { status: 400, body: "Expecting 'Content-Type' to be present" });
  t.same(await answer(httpRequest(url, 'POST', { 'Content-Type': 'text/plain' }, subscribeBody)), {
    status: 415,
    body: "Expecting 'Content-Type' of application/json or application/x-protobuf",
  });
  t.same(await answer(httpRequest(url, 'POST', { 'Content-Type': JSON_MEDIA, Accept: 'text/html' }, subscribeBody)), {
    status: 406,
    body: "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'",
  });
  t.same(await answer(httpRequest(url, 'GET', {})), { status: 405, body: "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'." });
  t.same(await answer(postCall(sim.url, Buffer.from([0xff, 0x01]), { media: PROTOBUF })), { status: 400, body: 'Failed to parse body into Call protobuf' });
  t.same(await answer(postCall(sim.url, '{"type": "SUBSCRIBE"}')), {
    status: 400,
    body: "Failed to validate scheduler::Call: Expecting 'subscribe' to be present",
  });
  t.same(await answer(postCall(sim.url, '{"type": "TEARDOWN"}')), {
    status: 400,
    body: "Failed to validate scheduler::Call: Expecting 'framework_id' to be present",
  });
  t.match((await answer(postCall(sim.url, '{"type": "NOPE"}'))).body, /^Failed to convert JSON into Call protobuf: /);
  t.same(await answer(postCall(sim.url, { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo() } }, { streamId: 'x' })), {
    status: 400,
    body: "Subscribe calls should not include the 'Mesos-Stream-Id' header",
  });
  t.same(await answer(postCall(sim.url, { type: 'REVIVE', framework_id: { value: 'unknown' } }, { streamId: 'x' })), {
    status: 400,
    body: 'Framework cannot be found',
  });
  t.same(
    await answer(
      postCall(sim.url, { type: 'SUBSCRIBE', framework_id: { value: 'a' }, subscribe: { framework_info: frameworkInfo({ id: { value: 'b' } }) } }),
    ),
    { status: 400, body: "Failed to validate scheduler::Call: 'framework_id' differs from 'subscribe.framework_info.id'" },
  );

  const sub = await subscribe(sim.url, frameworkInfo());
  t.teardown(() => sub.close());
  const badUuid = await sub.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: 'AAAA' } });
  t.same({ status: badUuid.status, body: badUuid.body }, { status: 400, body: 'Failed to validate scheduler::Call: Not a valid UUID' });
  const unknownUuid = await sub.call({
    type: 'ACKNOWLEDGE',
    acknowledge: { agent_id: { value: sim.agentIds()[0]! }, task_id: { value: 't' }, uuid: 'nXLwW752Qimf+cTxjSB+uA==' },
  });
  t.equal(unknownUuid.status, 202, 'an acknowledgement of an unknown update is accepted and ignored');
  const wrongStream = await sub.call({ type: 'REVIVE' }, { streamId: 'not-the-stream' });
  t.same({ status: wrongStream.status, body: wrongStream.body }, {
    status: 400,
    body: `The stream ID 'not-the-stream' included in this request didn't match the stream ID currently associated with framework ID ${sub.frameworkId}`,
  });
  const refused = subscribe(sim.url, frameworkInfo({ role: 'x', roles: undefined }));
  await t.rejects(refused, /'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable/, 'an invalid FrameworkInfo is refused on the stream');
  t.equal(sim.state().frameworks.length, 1, 'the simulator survives all of it');
});

t.test('a framework can speak protobuf end to end', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo(), { media: PROTOBUF, autoAck: true });
  t.teardown(() => sub.close());
  t.equal(sub.media, PROTOBUF, 'the stream is protobuf');
  const subscribed = sub.all('SUBSCRIBED')[0]!;
  t.equal(subscribed.subscribed.master_info!.ip, 16777343, 'ip in network order survives protobuf');
  t.equal(subscribed.subscribed.heartbeat_interval_seconds, 15);
  const offer = (await sub.next('OFFERS')).offers.offers![0]!;
  t.equal(offer.resources!.find((r) => r.name === 'ports')!.ranges!.range![0]!.begin, 31000);
  await sub.launch(offer.id.value, [commandTask('proto-task', offer.agent_id.value, 'true')]);
  const finished = await sub.update('proto-task', 'TASK_FINISHED');
  t.equal(finished.message, 'Command exited with status 0');
  t.equal(Buffer.from(finished.uuid!, 'base64').length, 16, 'uuids are 16 bytes');
});

t.test('a JSON subscriber may accept protobuf only, or anything', async (t) => {
  const { sim } = await startSim(t, { agents: 0 });
  const proto = await subscribe(sim.url, frameworkInfo(), { media: JSON_MEDIA, accept: PROTOBUF });
  t.teardown(() => proto.close());
  t.equal(proto.media, PROTOBUF, 'events come in the accepted media type');
  const any = await subscribe(sim.url, frameworkInfo(), { media: PROTOBUF, accept: '*/*' });
  t.teardown(() => any.close());
  t.equal(any.media, JSON_MEDIA, 'JSON is preferred when anything is accepted');
});

t.test('with credentials, the scheduler API wants basic authentication', async (t) => {
  const { sim } = await startSim(t, { agents: 0, credentials: [{ principal: 'ferry', secret: 's3cret' }] });
  const authorization = (p: string, s: string) => ({ Authorization: `Basic ${Buffer.from(`${p}:${s}`).toString('base64')}` });
  const none = await postCall(sim.url, { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo() } });
  t.equal(none.status, 401);
  t.equal(none.headers['www-authenticate'], 'Basic realm="mesos-master-scheduler"');
  const wrong = await postCall(sim.url, { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo() } }, { headers: authorization('ferry', 'nope') });
  t.equal(wrong.status, 401);
  const mismatch = await postCall(
    sim.url,
    { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo({ principal: 'other' }) } },
    { headers: authorization('ferry', 's3cret') },
  );
  t.same({ status: mismatch.status, body: mismatch.body }, {
    status: 400,
    body: "Failed to validate scheduler::Call: Authenticated principal 'ferry' does not match principal 'other' set in `FrameworkInfo`",
  });
  const sub = await subscribe(sim.url, frameworkInfo(), { headers: authorization('ferry', 's3cret') });
  t.teardown(() => sub.close());
  t.equal(sim.state().frameworks[0]!.principal, 'ferry', 'the authenticated principal is recorded');
  const call = await sub.call({ type: 'REVIVE' }, { headers: authorization('ferry', 's3cret') });
  t.equal(call.status, 202);
  const unauthenticated = await sub.call({ type: 'REVIVE' });
  t.equal(unauthenticated.status, 401, 'every call must authenticate');
});
