// Where each record lives under a framework's ZooKeeper root, and the
// reversible encoding that turns any record id (app ids contain '/') into one
// znode name. It never accepts a znode name that is not exactly what this
// encoding produces, so every stored name maps back to one id.

import type { RecordKind } from './model.js';

export type CollectionKind = Exclude<RecordKind, 'framework'>;

/** The directory under the root that holds each kind's records, one znode per record. */
export const COLLECTION_DIRS: Readonly<Record<CollectionKind, string>> = {
  app: 'apps',
  dataset: 'datasets',
  task: 'tasks',
  move: 'moves',
};

export const COLLECTION_KINDS = Object.keys(COLLECTION_DIRS) as CollectionKind[];

export function frameworkPath(root: string): string {
  return `${root}/framework`;
}

export function collectionPath(root: string, kind: CollectionKind): string {
  return `${root}/${COLLECTION_DIRS[kind]}`;
}

export function recordPath(root: string, kind: RecordKind, id: string): string {
  if (kind === 'framework') return frameworkPath(root);
  return `${collectionPath(root, kind)}/${encodeZnodeName(id)}`;
}

/**
 * Percent-encodes UTF-8 like encodeURIComponent (so '/' and '%' never appear
 * raw, and no control or private-use character reaches ZooKeeper), and also
 * the dots of "." and "..", which ZooKeeper reserves. Callers refuse empty
 * ids and lone surrogates before this is reached.
 */
export function encodeZnodeName(id: string): string {
  if (id === '.' || id === '..') return id.replace(/\./g, '%2E');
  return encodeURIComponent(id);
}

/** The id a znode name encodes, or undefined when the name is not one this encoding produces. */
export function decodeZnodeName(name: string): string | undefined {
  let id: string;
  try {
    id = decodeURIComponent(name);
  } catch {
    return undefined;
  }
  return id !== '' && encodeZnodeName(id) === name ? id : undefined;
}
