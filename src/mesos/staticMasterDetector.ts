// A fixed list of masters: the first is tried first; when one fails the next
// becomes current. Redirects (307) from a non-leader lead the client to the
// leader, so any master of the cluster is a good start.

import { EventEmitter } from 'node:events';
import { masterBaseUrl, sameMaster, type MasterAddress } from './masterAddress.js';
import type { MasterDetector, MasterDetectorEvents } from './masterDetector.js';

export class StaticMasterDetector extends EventEmitter<MasterDetectorEvents> implements MasterDetector {
  private index = 0;

  constructor(private readonly masters: MasterAddress[]) {
    super();
    if (masters.length === 0) throw new Error('a static master list needs at least one address');
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  current(): MasterAddress {
    return this.masters[this.index]!;
  }

  async leader(): Promise<MasterAddress> {
    return this.current();
  }

  reportFailure(master: MasterAddress): void {
    if (this.masters.length < 2 || !sameMaster(master, this.current())) return;
    this.index = (this.index + 1) % this.masters.length;
    this.emit('change', this.current());
  }

  describe(): string {
    return this.masters.map(masterBaseUrl).join(',');
  }
}
