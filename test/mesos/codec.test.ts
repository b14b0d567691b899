import t from 'tap';
import { readFileSync } from 'node:fs';
import { CodecError, decodeCall, decodeEvent, encodeCall, encodeEvent, JSON_MEDIA, parseMediaType, PROTOBUF } from '../../src/mesos/codec.js';
import type { WireCall } from '../../src/mesos/calls.js';
import type { SchedulerEvent } from '../../src/mesos/events.js';

const REFERENCE = new URL('../fixtures/mesos-reference', import.meta.url).pathname;

function referenceEvents(): SchedulerEvent[] {
  const events: SchedulerEvent[] = [];
  for (const name of ['launch-kill-reconcile.jsonl', 'agent-partition.jsonl']) {
    for (const line of readFileSync(`${REFERENCE}/${name}`, 'utf8').split('\n')) {
      if (line.trim() !== '') events.push(JSON.parse(line) as SchedulerEvent);
    }
  }
  return events;
}

const launch: WireCall = {
  type: 'ACCEPT',
  framework_id: { value: 'fw-1' },
  accept: {
    offer_ids: [{ value: 'O1' }],
    operations: [
      {
        type: 'LAUNCH',
        launch: {
          task_infos: [
            {
              name: 'kv.0',
              task_id: { value: 'kv.0.abc' },
              agent_id: { value: 'S0' },
              resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }],
              command: { value: 'echo hi', environment: { variables: [{ name: 'A', value: 'b' }] } },
              container: {
                type: 'MESOS',
                volumes: [{ mode: 'RW', container_path: 'data', source: { type: 'HOST_PATH', host_path: { path: '/srv/kv' } } }],
              },
              kill_policy: { grace_period: { nanoseconds: 3_000_000_000 } },
            },
          ],
        },
      },
    ],
    filters: { refuse_seconds: 10 },
  },
};

t.test('events recorded from a real master survive a protobuf round trip unchanged', async (t) => {
  const events = referenceEvents();
  t.ok(events.length > 10);
  for (const event of events) {
    const back = decodeEvent(encodeEvent(event, PROTOBUF), PROTOBUF);
    // int64 nanoseconds beyond 2^53 lose precision in JSON already; compare the rest exactly
    t.same(stripNanos(back), stripNanos(event), `${event.type} round trip`);
  }
});

t.test('JSON events decode to exactly what the master sent', async (t) => {
  for (const event of referenceEvents()) {
    t.same(decodeEvent(encodeEvent(event, JSON_MEDIA), JSON_MEDIA), event);
  }
});

t.test('calls round-trip through both media types to the same canonical form', async (t) => {
  t.same(decodeCall(encodeCall(launch, PROTOBUF), PROTOBUF), launch);
  t.same(decodeCall(encodeCall(launch, JSON_MEDIA), JSON_MEDIA), launch);
});

t.test('a uuid survives as base64 through protobuf bytes', async (t) => {
  const ack: WireCall = {
    type: 'ACKNOWLEDGE',
    framework_id: { value: 'f' },
    acknowledge: { agent_id: { value: 'S0' }, task_id: { value: 't' }, uuid: 'OyoRyoDQQdSUYidUxDKEmQ==' },
  };
  const bytes = encodeCall(ack, PROTOBUF);
  t.same(decodeCall(bytes, PROTOBUF), ack);
});

t.test('malformed JSON is answered the way a Mesos master answers it', async (t) => {
  t.throws(() => decodeCall(Buffer.from('not json'), JSON_MEDIA), {
    name: 'CodecError',
    message: 'Failed to parse body into JSON: syntax error at line 1 near: not json',
  });
});

t.test('JSON of the wrong shape names the field', async (t) => {
  t.throws(() => decodeCall(Buffer.from('{"type":"DECLINE","decline":{"offer_ids":{"value":"x"}}}'), JSON_MEDIA), {
    message: /Failed to convert JSON into Call protobuf: .*repeated field 'decline.offer_ids'/,
  });
  t.throws(() => decodeCall(Buffer.from('{"type":"NOPE"}'), JSON_MEDIA), { message: /Failed to find enum for 'NOPE'/ });
  t.throws(() => decodeCall(Buffer.from('{"type":"DECLINE","decline":{"filters":{"refuse_seconds":"5"}}}'), JSON_MEDIA), {
    message: /field 'decline.filters.refuse_seconds'/,
  });
});

t.test('missing required fields are listed with their paths', async (t) => {
  const body = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: { name: 'x' } } });
  t.throws(() => decodeCall(Buffer.from(body), JSON_MEDIA), {
    message: 'Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info.user',
  });
});

t.test('unknown JSON keys are ignored, as Mesos ignores them', async (t) => {
  const call = decodeCall(Buffer.from('{"type":"REVIVE","revive":{},"bogus":1}'), JSON_MEDIA);
  t.same(call, { type: 'REVIVE', revive: {} });
});

t.test('garbage protobuf bytes are answered like a master does', async (t) => {
  t.throws(() => decodeCall(Buffer.from([0xff, 0xff, 0xff, 0xff]), PROTOBUF), new CodecError('Failed to parse body into Call protobuf'));
});

t.test('media types are read from Content-Type values with parameters', async (t) => {
  t.equal(parseMediaType('application/json; charset=utf-8'), JSON_MEDIA);
  t.equal(parseMediaType('Application/X-Protobuf'), PROTOBUF);
  t.equal(parseMediaType('text/plain'), undefined);
  t.equal(parseMediaType(undefined), undefined);
});

t.test('an event without a type is refused', async (t) => {
  t.throws(() => decodeEvent(Buffer.from('{"subscribed":{}}'), JSON_MEDIA), { message: /no type/ });
  t.throws(() => decodeEvent(Buffer.from('{'), JSON_MEDIA), { message: /malformed JSON event/ });
  t.throws(() => decodeEvent(Buffer.from([0x0a, 0xff]), PROTOBUF), { message: /malformed protobuf event/ });
});

function stripNanos(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (k, v: unknown) => (k === 'nanoseconds' ? 0 : v)));
}
