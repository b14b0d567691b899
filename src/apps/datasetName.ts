// Dataset names: what a Ferry volume may be called, and the name derived for a
// Marathon local persistent volume. A name becomes a directory or device name
// on agents, so nothing that could escape a directory is ever accepted.

import { appIdSegments } from './appId.js';

export const DATASET_NAME_MAX_LENGTH = 63;

const DATASET_NAME = /^[a-z0-9][a-z0-9._-]*$/;

/** Why `name` cannot name a dataset, or undefined when it can. */
export function datasetNameProblem(name: string): string | undefined {
  if (name === '') return 'a dataset name must not be empty';
  if (name === '.' || name === '..') return `"${name}" cannot name a dataset: it would escape the dataset directory`;
  if (name.length > DATASET_NAME_MAX_LENGTH) {
    return `"${name}" is ${name.length} characters long; dataset names are at most ${DATASET_NAME_MAX_LENGTH}`;
  }
  if (!DATASET_NAME.test(name)) {
    return (
      `"${name}" is not a valid dataset name: use lowercase letters, digits, '-', '_' and '.', ` +
      `starting with a letter or digit`
    );
  }
  return undefined;
}

/** A container path made safe for a dataset name: lowercased, each run of other characters one '-', no '-' at either end. */
export function containerPathForName(containerPath: string): string {
  return containerPath
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The dataset name for a Marathon local persistent volume: the app id's
 * segments joined with '-', then '-' and the container path made safe
 * ("/prod/db" + "data" → "prod-db-data"). It may still be too long; check it
 * with datasetNameProblem.
 */
export function derivedDatasetName(appId: string, containerPath: string): string {
  const tail = containerPathForName(containerPath);
  const head = appIdSegments(appId).join('-');
  return tail === '' ? head : `${head}-${tail}`;
}
