// A task without a process, for scale benchmarks only: RUNNING at once, until
// killed. It never touches the disk or starts a process.

import type { FrameworkInfo, KillPolicy } from '../mesos/types.js';
import { hasCapability } from './callValidation.js';
import type { ExecutorCallbacks, TaskExecutor } from './taskExecutor.js';

export class ProcesslessExecutor implements TaskExecutor {
  private phase: 'created' | 'running' | 'terminated' | 'destroyed' = 'created';

  constructor(
    private readonly framework: FrameworkInfo,
    private readonly callbacks: ExecutorCallbacks,
  ) {}

  get pid(): number | undefined {
    return undefined;
  }

  get launched(): boolean {
    return this.phase === 'running' || this.phase === 'terminated';
  }

  launch(): void {
    this.phase = 'running';
    this.callbacks.update({ state: 'TASK_STARTING' });
    this.callbacks.update({ state: 'TASK_RUNNING' });
  }

  kill(_override?: KillPolicy): void {
    if (this.phase !== 'running') return;
    if (hasCapability(this.framework, 'TASK_KILLING_STATE')) this.callbacks.update({ state: 'TASK_KILLING' });
    this.end({ state: 'TASK_KILLED', message: 'Command terminated with signal Terminated' });
  }

  crash(): void {
    if (this.phase !== 'running') return;
    this.end({ state: 'TASK_FAILED', message: 'Command terminated with signal Killed' });
  }

  destroy(): Promise<void> {
    this.phase = 'destroyed';
    return Promise.resolve();
  }

  private end(update: { state: 'TASK_KILLED' | 'TASK_FAILED'; message: string }): void {
    this.phase = 'terminated';
    this.callbacks.update(update);
    this.callbacks.terminated();
  }
}
