// The directory `ferry local` keeps its cluster in: locked while it runs,
// cleared of an earlier run (a simulated cluster cannot outlive its process),
// and never one that holds anything local mode did not put there.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { DirectoryLock, LOCK_FILE } from '../coordination/directoryLock.js';
import { CommandFailedError, UsageError } from './exitCodes.js';

const MARKER_FILE = 'ferry-local.json';
const SIM_DIR = 'sim';
const STATE_DIR = 'state';

export interface LocalWorkDir {
  dir: string;
  simDir: string;
  stateDir: string;
  /** an earlier run's cluster was found and cleared */
  cleared: boolean;
  /** task processes an earlier run left behind (it was killed, not stopped) and that were ended now */
  leftoverProcesses: number;
  release(): Promise<void>;
}

export async function prepareLocalWorkDir(path: string): Promise<LocalWorkDir> {
  const dir = resolve(path);
  await mkdir(dir, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot create the work directory ${dir}: ${err.code === 'EEXIST' || err.code === 'ENOTDIR' ? 'a file is in the way' : err.message}`);
  });
  const entries = (await readdir(dir)).filter((name) => name !== LOCK_FILE);
  if (entries.length > 0 && !entries.includes(MARKER_FILE)) {
    throw new UsageError(`${dir} holds files that ferry local did not create (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}); give an empty or new --work-dir`);
  }
  const lock = await DirectoryLock.tryAcquire(dir);
  if (lock === undefined) throw new CommandFailedError(`another ferry local is running in ${dir}; stop it first, or give another --work-dir`);
  try {
    const simDir = join(dir, SIM_DIR);
    const stateDir = join(dir, STATE_DIR);
    const cleared = existsSync(simDir) || existsSync(stateDir);
    const leftoverProcesses = endProcessesUnder(simDir);
    await rm(simDir, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
    await writeFile(join(dir, MARKER_FILE), `${JSON.stringify({ createdBy: 'ferry local', pid: process.pid, startedAt: new Date().toISOString() }, null, 2)}\n`);
    return { dir, simDir, stateDir, cleared, leftoverProcesses, release: () => lock.release() };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/**
 * Kills (SIGKILL) every process the simulator under `root` started and did not
 * stop: its sandbox (MESOS_SANDBOX in the process's environment) is under
 * `root`. Such processes outlive a simulator that was killed rather than
 * stopped. Linux only (/proc); elsewhere none is found.
 */
export function endProcessesUnder(root: string): number {
  if (!existsSync('/proc') || !existsSync(root)) return 0;
  const prefix = root.endsWith(sep) ? root : `${root}${sep}`;
  let ended = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const sandbox = sandboxOf(Number(name));
    if (sandbox === undefined || !sandbox.startsWith(prefix)) continue;
    try {
      process.kill(Number(name), 'SIGKILL');
      ended++;
    } catch {
      // it ended by itself meanwhile
    }
  }
  return ended;
}

/** MESOS_SANDBOX from a process's environment, when it has one and we may read it. */
function sandboxOf(pid: number): string | undefined {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return undefined; // gone, or not ours to look at
  }
  const entry = environ.split('\0').find((e) => e.startsWith('MESOS_SANDBOX='));
  return entry?.slice('MESOS_SANDBOX='.length);
}
