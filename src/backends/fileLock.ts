// An exclusive lock on a file shared by every process that can reach it
// (flock(2), applied through util-linux flock(1) on a descriptor we keep
// open), held while one read-modify-write runs. The kernel releases it when
// the holder dies, so a crash never leaves it stale. It waits, up to a limit.

import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { BackendError } from './backend.js';

/** Runs `work` while holding the lock on `lockPath` (created if missing); waits at most `waitMs` for it. */
export async function withFileLock<T>(lockPath: string, waitMs: number, work: () => Promise<T>): Promise<T> {
  const handle = await open(lockPath, 'a', 0o600);
  try {
    const code = await flockDescriptor(handle.fd, waitMs);
    if (code === 1) {
      throw new BackendError('UNAVAILABLE', `${lockPath} stayed locked for ${waitMs} ms: another Ferry process is changing the same volumes; retry`);
    }
    if (code !== 0) throw new BackendError('FAILED', `flock(1) failed with exit code ${code} on ${lockPath}; the lock needs a filesystem that supports flock`);
    return await work();
  } finally {
    // closing our descriptor drops the lock: flock(1) has already exited
    await handle.close();
  }
}

function flockDescriptor(fd: number, waitMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['--exclusive', '--wait', (waitMs / 1000).toFixed(3), '3'], { stdio: ['ignore', 'ignore', 'pipe', fd] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ENOENT' ? new BackendError('FAILED', 'flock(1) is not installed (Debian/Ubuntu: apt-get install util-linux)') : err);
    });
    child.on('close', (code) => {
      if (code !== 0 && code !== 1 && stderr !== '') reject(new BackendError('FAILED', `flock(1): ${stderr.trim()}`));
      else resolve(code ?? -1);
    });
  });
}
