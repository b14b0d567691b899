// Where the copy engine keeps its bookkeeping for a dataset directory: beside
// the dataset, never inside it (the task sees only its data), in
// `<root>/.ferry-copy/<dataset>/`. Dataset names never start with '.', so
// this cannot collide with a dataset.

import { basename, dirname, join } from 'node:path';

export const COPY_STATE_DIRECTORY = '.ferry-copy';
export const SENDER_STATE_FILE = 'sender.json';

/** The state directory of a dataset directory (receiver manifest, completion marker, sender cache). */
export function copyStateDirOf(datasetDir: string): string {
  return join(dirname(datasetDir), COPY_STATE_DIRECTORY, basename(datasetDir));
}

export function senderStateFileOf(datasetDir: string): string {
  return join(copyStateDirOf(datasetDir), SENDER_STATE_FILE);
}
