// The names a backend builds paths, image files and tags from: cluster names
// and dataset names. Both end up in file names on shared storage, so nothing
// that could escape a directory or collide across clusters is accepted.

import { datasetNameProblem } from '../apps/datasetName.js';
import { BackendError } from './backend.js';

const CLUSTER_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Why `name` cannot name a cluster, or undefined when it can. */
export function clusterNameProblem(name: string): string | undefined {
  return CLUSTER_NAME.test(name)
    ? undefined
    : `"${name}" cannot name a cluster: use 1-63 lowercase letters, digits and '-', starting with a letter or digit`;
}

export function requireClusterName(name: string): string {
  const problem = clusterNameProblem(name);
  if (problem !== undefined) throw new BackendError('INVALID', problem);
  return name;
}

export function requireDatasetName(name: string): string {
  const problem = datasetNameProblem(name);
  if (problem !== undefined) throw new BackendError('INVALID', problem);
  return name;
}
