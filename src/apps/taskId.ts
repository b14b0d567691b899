// Mesos task ids for app instances, readable and built only from
// [A-Za-z0-9._-]: "prod_db.instance-0.<unique>" for instance 0 of "/prod/db".
// parseTaskId never throws; taskIdFor throws only when Ferry itself passes nonsense.

import { appIdSegmentProblem, appIdSegments, normalizeAppId } from './appId.js';

export interface TaskIdParts {
  /** the normalized app id, e.g. "/prod/db" */
  appId: string;
  instance: number;
  /** what makes each launch of the instance distinct (a uuid) */
  unique: string;
}

const UNIQUE = /^[A-Za-z0-9-]+$/;
// App id segments never contain '_' (Marathon's rules), so '_' joins them
// unambiguously; the unique part has no '.', so the last '.' ends the instance.
const TASK_ID = /^([a-z0-9._-]+)\.instance-(0|[1-9][0-9]*)\.([A-Za-z0-9-]+)$/;

/**
 * The task id for one launch of an app instance. The arguments come from
 * Ferry (a normalized app id, an instance index, a uuid), so a bad one is a
 * bug in the caller and is thrown, not returned.
 */
export function taskIdFor(appId: string, instance: number, unique: string): string {
  const normalized = normalizeAppId(appId);
  if (!normalized.ok) throw new RangeError(`taskIdFor: app id ${normalized.error.message}`);
  if (!Number.isSafeInteger(instance) || instance < 0) {
    throw new RangeError(`taskIdFor: instance must be an integer >= 0, got ${instance}`);
  }
  if (!UNIQUE.test(unique)) {
    throw new RangeError(`taskIdFor: unique part must use only letters, digits and '-', got "${unique}"`);
  }
  return `${appIdSegments(normalized.id).join('_')}.instance-${instance}.${unique}`;
}

/** Recovers the app id, instance and unique part of a task id built by taskIdFor; undefined for any other id. */
export function parseTaskId(taskId: string): TaskIdParts | undefined {
  const match = TASK_ID.exec(taskId);
  if (match === null) return undefined;
  const [, app = '', instanceText = '', unique = ''] = match;
  const segments = app.split('_');
  if (segments.some((s) => appIdSegmentProblem(s) !== undefined)) return undefined;
  const instance = Number(instanceText);
  if (!Number.isSafeInteger(instance)) return undefined;
  return { appId: `/${segments.join('/')}`, instance, unique };
}
