// One place that turns a backend's configuration into its control plane, so
// the scheduler and the API name a backend by its BackendName and never
// import a particular implementation. Construction only; no I/O happens here.

import type { Logger } from '../common/log.js';
import type { BackendName } from '../state/model.js';
import type { ControlPlane } from './backend.js';
import { EbsControlPlane, type EbsControlPlaneOptions } from './ebs/ebsControlPlane.js';
import { LocalControlPlane, type LocalControlPlaneOptions } from './local/localControlPlane.js';
import { LoopbackControlPlane, type LoopbackControlPlaneOptions } from './loopback/loopbackControlPlane.js';

export type BackendConfig =
  | ({ backend: 'local' } & Omit<LocalControlPlaneOptions, 'cluster' | 'logger'>)
  | ({ backend: 'loopback' } & Omit<LoopbackControlPlaneOptions, 'cluster' | 'logger'>)
  | ({ backend: 'ebs' } & Omit<EbsControlPlaneOptions, 'cluster' | 'logger'>);

export function createControlPlane(cluster: string, config: BackendConfig, logger?: Logger): ControlPlane {
  const common = { cluster, ...(logger !== undefined ? { logger } : {}) };
  switch (config.backend) {
    case 'local': {
      const { backend: _local, ...options } = config;
      return new LocalControlPlane({ ...options, ...common });
    }
    case 'loopback': {
      const { backend: _loopback, ...options } = config;
      return new LoopbackControlPlane({ ...options, ...common });
    }
    case 'ebs': {
      const { backend: _ebs, ...options } = config;
      return new EbsControlPlane({ ...options, ...common });
    }
    default: {
      const never: never = config;
      throw new Error(`unknown backend ${(never as { backend: BackendName }).backend}`);
    }
  }
}
