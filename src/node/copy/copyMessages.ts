// The copy protocol's messages (frame headers): what a sender may say to a
// receiver and what it answers, as types and the checks every received
// header passes before it is acted on. Hand-written rather than a schema
// library: the sender's start-up is on the downtime path of a final round.

import { NodeError } from '../nodeError.js';
import type { DirEntry, FileEntry, ManifestEntry, ManifestList, SymlinkEntry } from './copyManifest.js';

export const PROTOCOL_VERSION = 1;

/** Sender → receiver. */
export type SenderMessage =
  | {
      t: 'hello';
      protocol: number;
      token?: string;
      hashAlgorithm: string;
      blockSize: number;
      /** the digest of the destination manifest the sender remembers; the receiver sends its manifest when it differs */
      expectDigest?: string;
    }
  /** every path this round may touch, before any is touched */
  | { t: 'plan'; round: number; final: boolean; paths: string[] }
  | { t: 'mkdir'; path: string; entry: DirEntry }
  | { t: 'rename'; from: string; to: string }
  | { t: 'delete'; path: string }
  | { t: 'symlink'; path: string; entry: SymlinkEntry }
  /** a regular file follows: its blocks, then fileEnd; `rewrite`: the receiver starts from an empty file */
  | { t: 'file'; path: string; size: number; rewrite: boolean }
  | { t: 'block'; index: number; hash: string; length: number; zero?: boolean }
  | { t: 'fileEnd'; path: string; entry: FileEntry }
  | { t: 'dirMeta'; path: string; entry: DirEntry }
  /** the round is over; a final round carries the sender's whole manifest for verification */
  | { t: 'end'; round: number; final: boolean; manifest?: ManifestList };

/** Receiver → sender. */
export type ReceiverMessage =
  | {
      t: 'welcome';
      protocol: number;
      destinationId: string;
      /** the last round the receiver committed */
      round: number;
      digest: string;
      preservesOwners: boolean;
      manifest?: ManifestList;
    }
  | { t: 'committed'; round: number; digest: string; final: boolean; complete: boolean }
  | { t: 'failed'; code: string; message: string; differences?: string[] };

type Fields = Record<string, unknown>;

class Malformed extends Error {}

function need(ok: boolean, what: string): void {
  if (!ok) throw new Malformed(what);
}

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const int = (v: unknown, min = Number.MIN_SAFE_INTEGER): boolean => Number.isSafeInteger(v) && (v as number) >= min;
const str = (v: unknown): v is string => typeof v === 'string';
const bool = (v: unknown): v is boolean => typeof v === 'boolean';
const optional = (v: unknown, check: (v: unknown) => boolean): boolean => v === undefined || check(v);

function checkOwned(e: Fields, withMode: boolean): void {
  if (withMode) need(int(e['mode'], 0) && (e['mode'] as number) <= 0o7777, 'mode');
  need(int(e['uid'], -1) && int(e['gid'], -1), 'owner');
  need(str(e['mtimeNs']) && /^-?\d+$/.test(e['mtimeNs']), 'mtimeNs');
}

export function checkEntry(value: unknown): ManifestEntry {
  need(isObject(value), 'entry');
  const e = value as Fields;
  switch (e['type']) {
    case 'file':
      checkOwned(e, true);
      need(int(e['size'], 0), 'size');
      need(Array.isArray(e['hashes']) && (e['hashes'] as unknown[]).every(str), 'hashes');
      break;
    case 'dir':
      checkOwned(e, true);
      break;
    case 'symlink':
      checkOwned(e, false);
      need(str(e['target']), 'target');
      break;
    case 'unknown':
      break;
    default:
      need(false, 'entry type');
  }
  return value as ManifestEntry;
}

function checkEntryOf(value: unknown, type: ManifestEntry['type']): void {
  need(checkEntry(value).type === type, `a ${type} entry`);
}

export function checkManifestList(value: unknown): ManifestList {
  need(Array.isArray(value), 'manifest');
  for (const item of value as unknown[]) {
    need(Array.isArray(item) && item.length === 2 && str(item[0]), 'manifest item');
    checkEntry((item as unknown[])[1]);
  }
  return value as ManifestList;
}

function checkSender(m: Fields): void {
  switch (m['t']) {
    case 'hello':
      need(int(m['protocol']) && str(m['hashAlgorithm']) && int(m['blockSize'], 1), 'hello');
      need(optional(m['token'], str) && optional(m['expectDigest'], str), 'hello');
      return;
    case 'plan':
      need(int(m['round'], 1) && bool(m['final']) && Array.isArray(m['paths']) && (m['paths'] as unknown[]).every(str), 'plan');
      return;
    case 'mkdir':
    case 'dirMeta':
      need(str(m['path']), 'path');
      checkEntryOf(m['entry'], 'dir');
      return;
    case 'symlink':
      need(str(m['path']), 'path');
      checkEntryOf(m['entry'], 'symlink');
      return;
    case 'fileEnd':
      need(str(m['path']), 'path');
      checkEntryOf(m['entry'], 'file');
      return;
    case 'rename':
      need(str(m['from']) && str(m['to']), 'rename');
      return;
    case 'delete':
      need(str(m['path']), 'path');
      return;
    case 'file':
      need(str(m['path']) && int(m['size'], 0) && bool(m['rewrite']), 'file');
      return;
    case 'block':
      need(int(m['index'], 0) && str(m['hash']) && int(m['length'], 1) && optional(m['zero'], bool), 'block');
      return;
    case 'end':
      need(int(m['round'], 1) && bool(m['final']), 'end');
      if (m['manifest'] !== undefined) checkManifestList(m['manifest']);
      return;
    default:
      need(false, `message type ${String(m['t'])}`);
  }
}

function checkReceiver(m: Fields): void {
  switch (m['t']) {
    case 'welcome':
      need(int(m['protocol']) && str(m['destinationId']) && int(m['round'], 0) && str(m['digest']) && bool(m['preservesOwners']), 'welcome');
      if (m['manifest'] !== undefined) checkManifestList(m['manifest']);
      return;
    case 'committed':
      need(int(m['round'], 1) && str(m['digest']) && bool(m['final']) && bool(m['complete']), 'committed');
      return;
    case 'failed':
      need(str(m['code']) && str(m['message']), 'failed');
      need(optional(m['differences'], (d) => Array.isArray(d) && d.every(str)), 'differences');
      return;
    default:
      need(false, `message type ${String(m['t'])}`);
  }
}

export function parseSenderMessage(header: unknown): SenderMessage {
  return parse(header, checkSender, 'sender') as SenderMessage;
}

export function parseReceiverMessage(header: unknown): ReceiverMessage {
  return parse(header, checkReceiver, 'receiver') as ReceiverMessage;
}

function parse(header: unknown, check: (m: Fields) => void, who: string): unknown {
  try {
    need(isObject(header), 'an object');
    check(header as Fields);
    return header;
  } catch (err) {
    if (!(err instanceof Malformed)) throw err;
    throw new NodeError('PROTOCOL', `the ${who} sent a malformed message (bad ${err.message}): ${describe(header)}`);
  }
}

function describe(header: unknown): string {
  const text = JSON.stringify(header) ?? String(header);
  return text.length > 200 ? text.slice(0, 200) + '…' : text;
}
