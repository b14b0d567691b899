// The dataset an app's instances use, read from its container volumes: a
// Ferry external volume (provider "ferry") or a Marathon local persistent
// volume (the local backend, with a derived name). At most one per app.

import { BACKENDS, type BackendName } from '../state/model.js';
import { datasetNameFor, type DatasetClaim } from './appSpec.js';
import type { VolumeShape } from './appDefinitionShape.js';
import { datasetNameProblem, derivedDatasetName } from './datasetName.js';
import { childPath, type FieldError } from './fieldError.js';
import { unsupportedFieldErrors, UNSUPPORTED_EXTERNAL_VOLUME_FIELDS, UNSUPPORTED_PERSISTENT_VOLUME_FIELDS } from './unsupportedFields.js';

export const FERRY_PROVIDER = 'ferry';
export const PROFILES = ['gold', 'silver', 'bronze'] as const;
export const BACKEND_OPTION = 'ferry/backend';
export const PROFILE_OPTION = 'ferry/profile';
const FERRY_OPTION_PREFIX = 'ferry/';
const GIB_IN_MIB = 1024;
/** Marathon's rule for external volume option keys: "namespace/name". */
const OPTION_KEY = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\/[A-Za-z0-9](?:[-A-Za-z0-9._:]*[A-Za-z0-9])?$/;

export interface VolumesInput {
  appId: string;
  instances: number;
  volumes: readonly VolumeShape[];
  /** the backend of an external Ferry volume whose options name none */
  defaultBackend: BackendName;
}

const given = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

/** Why a volume's containerPath cannot be used, or undefined. The path is linked inside the task's sandbox. */
export function containerPathProblem(containerPath: string): string | undefined {
  if (containerPath === '') return 'must not be empty: give the path inside the task\'s sandbox, e.g. "data"';
  if (containerPath.startsWith('/')) {
    return `must be relative to the task's sandbox, e.g. "${containerPath.replace(/^\/+/, '') || 'data'}"; got "${containerPath}"`;
  }
  if (/[\u0000-\u001f\u007f]/.test(containerPath)) return 'must not contain control characters';
  const segments = containerPath.split('/');
  if (segments.some((s) => s === '')) return `"${containerPath}" has an empty segment; write it as "a/b"`;
  if (segments.some((s) => s === '.' || s === '..')) {
    return `"${containerPath}" must not contain "." or ".." segments: the path has to stay inside the sandbox`;
  }
  return undefined;
}

function isPositiveInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 1;
}

/** Checks that every instance's dataset name (the base name plus "-<i>") is a valid name. */
function checkInstanceNames(claim: DatasetClaim, instances: number, field: string, errors: FieldError[]): void {
  if (instances <= 1) return;
  const last = datasetNameFor(claim, instances - 1);
  const problem = datasetNameProblem(last);
  if (problem !== undefined) {
    errors.push({ field, message: `instance ${instances - 1} would use the dataset "${last}", which is not valid: ${problem}` });
  }
}

function externalClaim(volume: VolumeShape, at: string, input: VolumesInput, errors: FieldError[]): DatasetClaim | undefined {
  const external = volume.external;
  if (!given(external)) return undefined;
  const ext = childPath(at, 'external');
  const before = errors.length;
  errors.push(...unsupportedFieldErrors(external, UNSUPPORTED_EXTERNAL_VOLUME_FIELDS, ext));

  if (!given(external.provider)) {
    errors.push({ field: childPath(ext, 'provider'), message: `is required: Ferry's volumes use provider "${FERRY_PROVIDER}"` });
  } else if (external.provider !== FERRY_PROVIDER) {
    errors.push({
      field: childPath(ext, 'provider'),
      message: `Ferry manages only its own volumes (provider "${FERRY_PROVIDER}"); provider "${external.provider}" is not supported`,
    });
  }
  const name = external.name ?? '';
  if (!given(external.name)) {
    errors.push({ field: childPath(ext, 'name'), message: 'is required: the name of the dataset, e.g. "kv-data"' });
  } else {
    const problem = datasetNameProblem(name);
    if (problem !== undefined) errors.push({ field: childPath(ext, 'name'), message: problem });
  }
  if (!given(external.size)) {
    errors.push({ field: childPath(ext, 'size'), message: 'is required: the size of the dataset in GiB (as in Marathon), e.g. 1' });
  } else if (!isPositiveInteger(external.size)) {
    errors.push({ field: childPath(ext, 'size'), message: `must be a whole number of GiB, at least 1; got ${external.size}` });
  }

  let backend = input.defaultBackend;
  let profile: string | undefined;
  const options: Record<string, string> = {};
  for (const [key, value] of Object.entries(external.options ?? {})) {
    const optionField = childPath(childPath(ext, 'options'), key);
    if (!key.startsWith(FERRY_OPTION_PREFIX)) {
      errors.push({
        field: optionField,
        message:
          `"${key}" is not a Ferry option: Ferry volumes take only ferry/... options ` +
          `(${BACKEND_OPTION}, ${PROFILE_OPTION}, or others passed to the backend)`,
      });
    } else if (!OPTION_KEY.test(key)) {
      errors.push({
        field: optionField,
        message: `"${key}" is not a valid option name: write ferry/<name> with letters, digits, '-', '.', '_' or ':'`,
      });
    } else if (key === BACKEND_OPTION) {
      const known = BACKENDS.find((b) => b === value);
      if (known === undefined) {
        errors.push({ field: optionField, message: `unknown backend "${value}": use one of ${BACKENDS.join(', ')}` });
      } else backend = known;
    } else if (key === PROFILE_OPTION) {
      if (!(PROFILES as readonly string[]).includes(value)) {
        errors.push({ field: optionField, message: `unknown profile "${value}": use one of ${PROFILES.join(', ')}` });
      } else profile = value;
    } else {
      // passed to the backend without the prefix, as Marathon passes dvdi/... options to its driver
      options[key.slice(FERRY_OPTION_PREFIX.length)] = value;
    }
  }
  if (errors.length > before || !given(external.size)) return undefined;
  const claim: DatasetClaim = {
    name,
    containerPath: volume.containerPath ?? '',
    mode: volume.mode ?? 'RW',
    sizeMiB: external.size * GIB_IN_MIB,
    backend,
    options,
    source: 'external',
  };
  if (profile !== undefined) claim.profile = profile;
  checkInstanceNames(claim, input.instances, childPath(ext, 'name'), errors);
  return claim;
}

function persistentClaim(volume: VolumeShape, at: string, input: VolumesInput, errors: FieldError[]): DatasetClaim | undefined {
  const persistent = volume.persistent;
  if (!given(persistent)) return undefined;
  const per = childPath(at, 'persistent');
  const before = errors.length;
  errors.push(...unsupportedFieldErrors(persistent, UNSUPPORTED_PERSISTENT_VOLUME_FIELDS, per));

  if (given(persistent.type) && persistent.type !== 'root') {
    errors.push({
      field: childPath(per, 'type'),
      message: `Ferry keeps a local persistent volume as a directory on the agent (type "root"); Mesos ${persistent.type} disks are not supported`,
    });
  }
  if (!given(persistent.size)) {
    errors.push({ field: childPath(per, 'size'), message: 'is required: the size of the volume in MiB (as in Marathon), e.g. 512' });
  } else if (!isPositiveInteger(persistent.size)) {
    errors.push({ field: childPath(per, 'size'), message: `must be a whole number of MiB, at least 1; got ${persistent.size}` });
  }
  const containerPath = volume.containerPath ?? '';
  if (containerPath.includes('/')) {
    errors.push({
      field: childPath(at, 'containerPath'),
      message: `a persistent volume's containerPath is one directory name without '/' (as in Marathon); got "${containerPath}"`,
    });
  }
  if (volume.mode === 'RO') {
    errors.push({ field: childPath(at, 'mode'), message: 'a persistent volume is read-write (as in Marathon): use "RW" or omit mode' });
  }
  if (errors.length > before || !given(persistent.size)) return undefined;

  const name = derivedDatasetName(input.appId, containerPath);
  const problem = datasetNameProblem(name);
  if (problem !== undefined) {
    errors.push({
      field: childPath(at, 'containerPath'),
      message:
        `the dataset name derived from the app id and containerPath is not valid: ${problem}; ` +
        `shorten them, or use an external volume with provider "${FERRY_PROVIDER}" and a name of your choice`,
    });
    return undefined;
  }
  const claim: DatasetClaim = {
    name,
    containerPath,
    mode: 'RW',
    sizeMiB: persistent.size,
    backend: 'local',
    options: {},
    source: 'persistent',
  };
  checkInstanceNames(claim, input.instances, childPath(at, 'containerPath'), errors);
  return claim;
}

/** The app's dataset: undefined for a stateless app. Meaningful only when `errors` gained nothing. */
export function claimFromVolumes(input: VolumesInput, errors: FieldError[]): DatasetClaim | undefined {
  let claim: DatasetClaim | undefined;
  let ferryVolumeAt: string | undefined;
  input.volumes.forEach((volume, i) => {
    const at = childPath('container.volumes', i);
    const kinds = (['external', 'persistent', 'hostPath', 'secret'] as const).filter((k) => given(volume[k]));
    if (kinds.length === 0) {
      errors.push({ field: at, message: 'a volume needs external (a Ferry dataset, provider "ferry") or persistent (a local persistent volume)' });
      return;
    }
    if (kinds.length > 1) {
      errors.push({ field: at, message: `a volume is of one kind only; this one has ${kinds.join(' and ')}` });
      return;
    }
    const kind = kinds[0];
    if (kind === 'hostPath') {
      errors.push({
        field: childPath(at, 'hostPath'),
        message:
          "Ferry does not support host-path volumes: a host path ties the task to one agent's directory and cannot move with it; " +
          `use an external volume with provider "${FERRY_PROVIDER}", or a persistent volume`,
      });
      return;
    }
    if (kind === 'secret') {
      errors.push({ field: childPath(at, 'secret'), message: 'Ferry does not support secret volumes; fetch the file with fetch instead' });
      return;
    }
    if (ferryVolumeAt !== undefined) {
      errors.push({
        field: at,
        message:
          `a second Ferry volume (containerPath "${volume.containerPath ?? ''}"): an app has at most one dataset ` +
          `(each instance gets its own), and ${ferryVolumeAt} already declares it`,
      });
      return;
    }
    ferryVolumeAt = at;
    if (!given(volume.containerPath)) {
      errors.push({
        field: childPath(at, 'containerPath'),
        message: 'is required: where the task sees the dataset, relative to its sandbox, e.g. "data"',
      });
    } else {
      const problem = containerPathProblem(volume.containerPath);
      if (problem !== undefined) errors.push({ field: childPath(at, 'containerPath'), message: problem });
    }
    claim = kind === 'external' ? externalClaim(volume, at, input, errors) : persistentClaim(volume, at, input, errors);
  });
  return claim;
}
