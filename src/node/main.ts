// The node artifact's entry point: what a short Mesos task runs on an agent
// (`node dist/src/node/main.js <command> ...`). Each command does one piece of
// node-plane work and prints exactly one JSON line on stdout — {"ok":true,
// "command", "result"} or {"ok":false, "command", "code", "message"} — with
// exit status 0 or 1; logs go to stderr. It holds no behaviour of its own.

import { Command, InvalidArgumentError } from 'commander';
import { createLogger } from '../common/log.js';
import { NodeError } from './nodeError.js';

// each command loads only what it uses: a final copy round's sender starts on the downtime path
const copy = {
  sender: () => import('./copy/sender.js'),
  preCopy: () => import('./copy/preCopy.js'),
  receiver: () => import('./copy/receiver.js'),
  state: () => import('./copy/receiverState.js'),
  paths: () => import('./copy/copyStatePaths.js'),
};
const block = {
  loopback: () => import('./block/loopbackAttachment.js'),
  ebs: () => import('./block/ebsAttachment.js'),
};
const local = () => import('./local/datasetDirectory.js');

/** The environment variable that carries a copy's token, so it does not show in process listings. */
export const COPY_TOKEN_ENV = 'FERRY_COPY_TOKEN';

const log = createLogger({ name: 'ferry-node' });

function emit(line: object): void {
  process.stdout.write(JSON.stringify(line) + '\n');
}

/** Runs one command's work and reports it as the single JSON line. */
function action<O>(command: string, work: (options: O) => Promise<unknown>): (options: O) => Promise<void> {
  return async (options) => {
    try {
      emit({ ok: true, command, result: await work(options) });
      process.exitCode = 0;
    } catch (err) {
      const code = err instanceof NodeError ? err.code : typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'FAILED';
      const message = err instanceof Error ? err.message : String(err);
      log.error({ command, code, err: message }, 'node command failed');
      emit({ ok: false, command, code, message });
      process.exitCode = 1;
    }
  };
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${value} is not a whole number`);
  return n;
}

function owner(value: string): { uid: number; gid: number } {
  const match = /^(\d+):(\d+)$/.exec(value);
  if (match === null) throw new InvalidArgumentError(`${value} is not uid:gid`);
  return { uid: Number(match[1]), gid: Number(match[2]) };
}

function token(given: string | undefined): string | undefined {
  return given ?? process.env[COPY_TOKEN_ENV];
}

const program = new Command('ferry-node')
  .description('Ferry node-plane work on an agent; prints one JSON line')
  .showHelpAfterError()
  .exitOverride((err) => {
    if (err.exitCode !== 0) emit({ ok: false, command: process.argv[2] ?? '', code: 'INVALID', message: err.message });
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

program
  .command('prepare')
  .description('create a local dataset directory <root>/<dataset>')
  .requiredOption('--root <dir>', "the agent's dataset root (ferry_root)")
  .requiredOption('--dataset <name>')
  .option('--owner <uid:gid>', 'who owns the new directory', owner)
  .action(action('prepare', async (o: { root: string; dataset: string; owner?: { uid: number; gid: number } }) => (await local()).prepareDatasetDirectory(o, o.owner)));

program
  .command('destroy')
  .description('remove a local dataset directory and its copy state')
  .requiredOption('--root <dir>')
  .requiredOption('--dataset <name>')
  .action(action('destroy', async (o: { root: string; dataset: string }) => (await local()).destroyDatasetDirectory(o)));

program
  .command('receive')
  .description('receive a dataset copy into --dir; returns after a verified final round')
  .requiredOption('--dir <dir>', 'the destination dataset directory')
  .requiredOption('--port <port>', 'the TCP port to listen on (from the offer)', integer)
  .option('--host <address>', 'the address to listen on (default: all)')
  .option('--state-dir <dir>', 'where the manifest and completion marker live (default: <root>/.ferry-copy/<dataset>)')
  .option('--token <secret>', `the transfer's secret (or ${COPY_TOKEN_ENV})`)
  .option('--idle-timeout-s <seconds>', 'give up when no sender connects for this long', integer)
  .option('--checkpoint-mib <mib>', 'make progress durable after this much data (default 1024)', integer)
  .option('--buffered-writes', 'write every file through the page cache (default: large files with direct I/O)')
  .action(
    action('receive', async (o: { dir: string; port: number; host?: string; stateDir?: string; token?: string; idleTimeoutS?: number; checkpointMib?: number; bufferedWrites?: boolean }) =>
      (await copy.receiver()).runReceiver({
        dir: o.dir,
        port: o.port,
        logger: log,
        directWrites: o.bufferedWrites !== true,
        ...(o.checkpointMib !== undefined ? { checkpointBytes: o.checkpointMib * 1024 * 1024 } : {}),
        ...(o.host !== undefined ? { host: o.host } : {}),
        ...(o.stateDir !== undefined ? { stateDir: o.stateDir } : {}),
        ...(token(o.token) !== undefined ? { token: token(o.token)! } : {}),
        ...(o.idleTimeoutS !== undefined ? { idleTimeoutMs: o.idleTimeoutS * 1000 } : {}),
      }),
    ),
  );

program
  .command('send')
  .description('send one copy round of --dir to a receiver (or pre-copy rounds while the delta shrinks)')
  .requiredOption('--dir <dir>', 'the source dataset directory')
  .requiredOption('--host <host>', "the receiver's address")
  .requiredOption('--port <port>', "the receiver's port", integer)
  .option('--state-file <file>', "the sender's memory between rounds (default: <root>/.ferry-copy/<dataset>/sender.json)")
  .option('--final', 'the task has stopped: verify and mark the destination complete')
  .option('--pre-copy', 'repeat rounds while each moves less than the one before')
  .option('--max-rounds <n>', 'pre-copy round limit', integer)
  .option('--token <secret>', `the transfer's secret (or ${COPY_TOKEN_ENV})`)
  .option('--connect-timeout-s <seconds>', 'keep trying to reach the receiver this long', integer)
  .action(
    action(
      'send',
      async (o: { dir: string; host: string; port: number; stateFile?: string; final?: boolean; preCopy?: boolean; maxRounds?: number; token?: string; connectTimeoutS?: number }) => {
        const common = {
          dir: o.dir,
          host: o.host,
          port: o.port,
          logger: log,
          ...(o.stateFile !== undefined ? { stateFile: o.stateFile } : {}),
          ...(token(o.token) !== undefined ? { token: token(o.token)! } : {}),
          ...(o.connectTimeoutS !== undefined ? { connectTimeoutMs: o.connectTimeoutS * 1000 } : {}),
        };
        if (o.preCopy === true) {
          if (o.final === true) throw new NodeError('INVALID', '--pre-copy and --final exclude each other: pre-copy runs while the task runs, the final round after it stopped');
          return (await copy.preCopy()).runPreCopy({ ...common, ...(o.maxRounds !== undefined ? { maxRounds: o.maxRounds } : {}) });
        }
        return (await copy.sender()).runSender({ ...common, final: o.final === true });
      },
    ),
  );

program
  .command('copy-status')
  .description('whether a destination holds a complete, verified copy')
  .requiredOption('--dir <dir>', 'the destination dataset directory')
  .option('--state-dir <dir>')
  .action(
    action('copy-status', async (o: { dir: string; stateDir?: string }) => {
      const marker = await (await copy.state()).readCompletion(o.stateDir ?? (await copy.paths()).copyStateDirOf(o.dir));
      return { complete: marker !== undefined, ...(marker !== undefined ? { marker } : {}) };
    }),
  );

program
  .command('mount')
  .description('mount a block volume: loopback (--store, --volume, --agent-id) or ebs (--device, --volume)')
  .requiredOption('--volume <id>', 'the control-plane volume id')
  .requiredOption('--mount-point <dir>', 'where the task sees it (BackendVolume.hostPath)')
  .option('--store <dir>', 'loopback: the image store')
  .option('--agent-id <id>', 'loopback: this agent, as the control plane attached it')
  .option('--device <path>', 'ebs: the device name it was attached under')
  .action(
    action('mount', async (o: { volume: string; mountPoint: string; store?: string; agentId?: string; device?: string }) => {
      if (o.store !== undefined) {
        if (o.agentId === undefined) throw new NodeError('INVALID', 'a loopback mount needs --agent-id');
        return (await block.loopback()).mountLoopbackVolume({ store: o.store, volumeId: o.volume, agentId: o.agentId, mountPoint: o.mountPoint }, log);
      }
      if (o.device === undefined) throw new NodeError('INVALID', 'give --store (loopback) or --device (ebs)');
      return (await block.ebs()).mountEbsVolume({ volumeId: o.volume, device: o.device, mountPoint: o.mountPoint }, log);
    }),
  );

program
  .command('unmount')
  .description('unmount a block volume (and detach its loop devices); refuses while a process uses it')
  .requiredOption('--volume <id>')
  .option('--store <dir>', 'loopback: the image store')
  .option('--device <path>', 'ebs: the device name it was attached under')
  .action(
    action('unmount', async (o: { volume: string; store?: string; device?: string }) => {
      if (o.store !== undefined) return (await block.loopback()).unmountLoopbackVolume({ store: o.store, volumeId: o.volume }, log);
      if (o.device === undefined) throw new NodeError('INVALID', 'give --store (loopback) or --device (ebs)');
      return (await block.ebs()).unmountEbsVolume({ volumeId: o.volume, device: o.device }, log);
    }),
  );

program
  .command('release')
  .description('FORCED release of a loopback volume: kill its users, unmount, detach every loop device, prove none is left')
  .requiredOption('--store <dir>')
  .requiredOption('--volume <id>')
  .action(action('release', async (o: { store: string; volume: string }) => (await block.loopback()).releaseLoopbackVolume({ store: o.store, volumeId: o.volume }, log)));

await program.parseAsync(process.argv);
