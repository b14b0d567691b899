// Runs node-plane operations for the executor: each opId once, concurrently
// with other operations, remembering recent results so a repeated request
// (the scheduler asks again when a message may have been lost) gets the same
// answer instead of a second run. The operations themselves live in
// src/node/copy, src/node/block and src/node/local.

import type { Logger } from '../../common/log.js';
import { mountEbsVolume, unmountEbsVolume } from '../block/ebsAttachment.js';
import { mountLoopbackVolume, releaseLoopbackVolume, unmountLoopbackVolume } from '../block/loopbackAttachment.js';
import { runPreCopy } from '../copy/preCopy.js';
import { startReceiver } from '../copy/receiver.js';
import { runSender } from '../copy/sender.js';
import { destroyDatasetDirectory, prepareDatasetDirectory } from '../local/datasetDirectory.js';
import { NodeError } from '../nodeError.js';
import type { NodeOp, NodeReply } from './nodeOps.js';

const REMEMBERED_RESULTS = 500;
const CONNECT_TIMEOUT_MS = 60_000;

export type ReplySink = (reply: NodeReply) => void;

export class OpRunner {
  private readonly running = new Map<string, NodeOp['op']>();
  private readonly results = new Map<string, NodeReply>();

  constructor(
    private readonly logger: Logger,
    private readonly reply: ReplySink,
  ) {}

  get runningOps(): string[] {
    return [...this.running.keys()];
  }

  /** Starts the operation unless it runs already; a finished one is answered again from memory. */
  submit(opId: string, op: NodeOp): void {
    const done = this.results.get(opId);
    if (done !== undefined) {
      this.reply(done);
      return;
    }
    if (this.running.has(opId)) {
      this.reply({ kind: 'progress', opId, op: op.op, detail: 'still running' });
      return;
    }
    this.running.set(opId, op.op);
    const started = Date.now();
    const log = this.logger.child({ opId, op: op.op });
    log.info('node operation started');
    void this.perform(opId, op, log).then(
      (result) => this.finish({ kind: 'result', opId, op: op.op, ok: true, result, ms: Date.now() - started }, log),
      (err: unknown) => {
        const code = err instanceof NodeError ? err.code : typeof (err as { code?: unknown }).code === 'string' ? String((err as { code: string }).code) : 'FAILED';
        this.finish({ kind: 'result', opId, op: op.op, ok: false, code, message: (err as Error).message ?? String(err), ms: Date.now() - started }, log);
      },
    );
  }

  private finish(reply: Extract<NodeReply, { kind: 'result' }>, log: Logger): void {
    this.running.delete(reply.opId);
    this.results.set(reply.opId, reply);
    if (this.results.size > REMEMBERED_RESULTS) this.results.delete(this.results.keys().next().value!);
    if (reply.ok) log.info({ ms: reply.ms }, 'node operation done');
    else log.error({ ms: reply.ms, code: reply.code, err: reply.message }, 'node operation failed');
    this.reply(reply);
  }

  /** A receiver says so once it listens: the scheduler starts the sender only then. */
  private async receive(opId: string, op: Extract<NodeOp, { op: 'receive' }>, log: Logger): Promise<unknown> {
    const receiver = await startReceiver({ dir: op.dir, port: op.port, ...(op.host !== undefined ? { host: op.host } : {}), token: op.token, idleTimeoutMs: op.idleTimeoutS * 1000, logger: log });
    this.reply({ kind: 'progress', opId, op: 'receive', detail: `listening on ${op.host ?? '*'}:${receiver.port}` });
    return receiver.finished;
  }

  private perform(opId: string, op: NodeOp, log: Logger): Promise<unknown> {
    switch (op.op) {
      case 'prepare':
        return prepareDatasetDirectory({ root: op.root, dataset: op.dataset });
      case 'destroy':
        return destroyDatasetDirectory({ root: op.root, dataset: op.dataset });
      case 'receive':
        return this.receive(opId, op, log);
      case 'precopy':
        return runPreCopy({ dir: op.dir, host: op.host, port: op.port, token: op.token, maxRounds: op.maxRounds, connectTimeoutMs: CONNECT_TIMEOUT_MS, logger: log });
      case 'finalCopy':
        return runSender({ dir: op.dir, host: op.host, port: op.port, token: op.token, final: true, connectTimeoutMs: CONNECT_TIMEOUT_MS, logger: log });
      case 'mountLoopback':
        return mountLoopbackVolume({ store: op.store, volumeId: op.volumeId, agentId: op.agentId, mountPoint: op.mountPoint }, log);
      case 'unmountLoopback':
        return unmountLoopbackVolume({ store: op.store, volumeId: op.volumeId }, log);
      case 'releaseLoopback':
        return releaseLoopbackVolume({ store: op.store, volumeId: op.volumeId }, log);
      case 'mountEbs':
        return mountEbsVolume({ volumeId: op.volumeId, device: op.device, mountPoint: op.mountPoint }, log);
      case 'unmountEbs':
        return unmountEbsVolume({ volumeId: op.volumeId, device: op.device }, log);
      default: {
        const never: never = op;
        return Promise.reject(new Error(`unknown node operation ${JSON.stringify(never)}`));
      }
    }
  }
}
