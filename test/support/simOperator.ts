// A raw operator for simulator tests: the v1 operator API and the maintenance
// endpoints over plain node:http, so that tests see exactly what a real master
// would answer. It asserts nothing itself.

import { request } from 'node:http';
import { JSON_MEDIA, PROTOBUF, type MediaType } from '../../src/mesos/codec.js';
import type { MaintenanceSchedule, OperatorResponse } from '../../src/mesos/operator.js';
import { messageType, TO_OBJECT_OPTIONS } from '../../src/mesos/protoSchema.js';
import type { MachineID, Unavailability } from '../../src/mesos/types.js';
import { httpRequest, type HttpAnswer } from './simClient.js';

/** POSTs a master::Call to /api/v1; `response` is the decoded Response when the answer carries one. */
export async function operatorCall(
  baseUrl: string,
  call: object | string,
  options: { media?: MediaType; accept?: string } = {},
): Promise<HttpAnswer & { response?: OperatorResponse }> {
  const media = options.media ?? JSON_MEDIA;
  let body: Buffer;
  if (typeof call === 'string') body = Buffer.from(call);
  else if (media === PROTOBUF) {
    const type = messageType('mesos.v1.master.Call');
    body = Buffer.from(type.encode(type.fromObject(call as Record<string, unknown>)).finish());
  } else body = Buffer.from(JSON.stringify(call));
  const headers: Record<string, string> = { 'Content-Type': media };
  if (options.accept !== undefined) headers['Accept'] = options.accept;
  const answer = await rawRequest(`${baseUrl}/api/v1`, 'POST', headers, body);
  if (answer.status !== 200 || answer.raw.length === 0) return answer;
  const contentType = String(answer.headers['content-type'] ?? '');
  if (contentType.startsWith(PROTOBUF)) {
    const type = messageType('mesos.v1.master.Response');
    return { ...answer, response: type.toObject(type.decode(answer.raw), TO_OBJECT_OPTIONS) as OperatorResponse };
  }
  return { ...answer, response: JSON.parse(answer.body) as OperatorResponse };
}

/** POSTs JSON to a maintenance endpoint (/maintenance/schedule, /machine/down, /machine/up). */
export function postJson(baseUrl: string, path: string, body: unknown): Promise<HttpAnswer> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return httpRequest(`${baseUrl}${path}`, 'POST', { 'Content-Type': 'application/json' }, Buffer.from(text));
}

/** A one-window schedule for these machines, starting `startInMs` from now, lasting an hour. */
export function scheduleFor(machines: MachineID[], startInMs = 3_600_000): MaintenanceSchedule {
  return { windows: [{ machine_ids: machines, unavailability: unavailabilityIn(startInMs) }] };
}

export function unavailabilityIn(startInMs: number): Unavailability {
  return { start: { nanoseconds: (Date.now() + startInMs) * 1e6 }, duration: { nanoseconds: 3600e9 } };
}

/** One request, the answer's bytes kept as they came (protobuf answers are not text). */
function rawRequest(url: string, method: string, headers: Record<string, string>, body: Buffer): Promise<HttpAnswer & { raw: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, Connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, body: raw.toString('utf8'), headers: res.headers, raw });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
