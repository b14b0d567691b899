// The node-plane operations Ferry's scheduler asks of the resident node
// executor on an agent, and the executor's replies: the vocabulary both sides
// share, carried as JSON in Mesos framework messages. Every request has an
// opId; the executor runs each opId once and answers a repeated request with
// the result it already has, so a lost message is cured by asking again.

import { z } from 'zod';

const path = z.string().min(1).refine((p) => p.startsWith('/'), 'must be an absolute path');
const port = z.number().int().min(1).max(65535);

export const nodeOpSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('prepare'), root: path, dataset: z.string().min(1) }),
  z.strictObject({ op: z.literal('destroy'), root: path, dataset: z.string().min(1) }),
  z.strictObject({ op: z.literal('receive'), dir: path, port, host: z.string().min(1).optional(), token: z.string().min(16), idleTimeoutS: z.number().int().positive() }),
  z.strictObject({ op: z.literal('precopy'), dir: path, host: z.string().min(1), port, token: z.string().min(16), maxRounds: z.number().int().positive() }),
  z.strictObject({ op: z.literal('finalCopy'), dir: path, host: z.string().min(1), port, token: z.string().min(16) }),
  z.strictObject({ op: z.literal('mountLoopback'), store: path, volumeId: z.string().min(1), agentId: z.string().min(1), mountPoint: path }),
  z.strictObject({ op: z.literal('unmountLoopback'), store: path, volumeId: z.string().min(1) }),
  z.strictObject({ op: z.literal('releaseLoopback'), store: path, volumeId: z.string().min(1) }),
  z.strictObject({ op: z.literal('mountEbs'), volumeId: z.string().min(1), device: z.string().min(1), mountPoint: path }),
  z.strictObject({ op: z.literal('unmountEbs'), volumeId: z.string().min(1), device: z.string().min(1) }),
]);

export type NodeOp = z.infer<typeof nodeOpSchema>;
export type NodeOpName = NodeOp['op'];

export const nodeRequestSchema = z.strictObject({ kind: z.literal('op'), opId: z.string().min(1), request: nodeOpSchema });
export type NodeRequest = z.infer<typeof nodeRequestSchema>;

/** The executor's answers: a final result, or signs of life for a long operation. */
export type NodeReply =
  | { kind: 'result'; opId: string; op: NodeOpName; ok: true; result: unknown; ms: number }
  | { kind: 'result'; opId: string; op: NodeOpName; ok: false; code: string; message: string; ms: number }
  | { kind: 'progress'; opId: string; op: NodeOpName; detail: string }
  | { kind: 'hello'; agentId: string; executorId: string; version: string; running: string[] };

export const nodeReplySchema = z.union([
  z.object({ kind: z.literal('result'), opId: z.string(), op: z.string(), ok: z.literal(true), result: z.unknown(), ms: z.number() }),
  z.object({ kind: z.literal('result'), opId: z.string(), op: z.string(), ok: z.literal(false), code: z.string(), message: z.string(), ms: z.number() }),
  z.object({ kind: z.literal('progress'), opId: z.string(), op: z.string(), detail: z.string() }),
  z.object({ kind: z.literal('hello'), agentId: z.string(), executorId: z.string(), version: z.string(), running: z.array(z.string()) }),
]);

export function encodeNodeMessage(message: NodeRequest | NodeReply): string {
  return Buffer.from(JSON.stringify(message)).toString('base64');
}

export function decodeNodeReply(base64: string): NodeReply | undefined {
  try {
    const parsed = nodeReplySchema.safeParse(JSON.parse(Buffer.from(base64, 'base64').toString('utf8')));
    return parsed.success ? (parsed.data as NodeReply) : undefined;
  } catch {
    return undefined;
  }
}
