// Which way each backend moves data: by copying between agents (copy) or by
// detaching and attaching a device (block). Fixed per backend; the control
// planes say the same, this lets decisions know without holding one.

import type { BackendName } from '../state/model.js';

export function backendKind(backend: BackendName): 'copy' | 'block' {
  switch (backend) {
    case 'local':
      return 'copy';
    case 'loopback':
    case 'ebs':
      return 'block';
    default: {
      const never: never = backend;
      throw new Error(`unknown backend ${String(never)}`);
    }
  }
}
