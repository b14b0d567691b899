// An exclusive, kernel-enforced lock on a state directory (flock(2) on
// DIR/lock), held for as long as this process keeps the lock file open and
// released by the kernel when the process dies, so a crash never leaves a
// stale lock. It never waits: another holder means "not now".

import { spawn } from 'node:child_process';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export const LOCK_FILE = 'lock';

/**
 * Node has no flock(); util-linux's flock(1) applies it to a descriptor it
 * inherits from us. The lock belongs to the open file description both
 * descriptors share, so it stays with this process after flock(1) exits.
 */
export class DirectoryLock {
  private constructor(
    readonly path: string,
    private handle: FileHandle | undefined,
  ) {}

  /** The lock, or undefined when another process (or another open of this directory) holds it. */
  static async tryAcquire(dir: string): Promise<DirectoryLock | undefined> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, LOCK_FILE);
    const handle = await open(path, 'a', 0o644);
    let code: number;
    try {
      code = await runFlock(handle.fd);
    } catch (err) {
      await handle.close();
      throw err;
    }
    if (code === 0) return new DirectoryLock(path, handle);
    await handle.close();
    if (code === 1) return undefined;
    throw new Error(`flock(1) failed with exit code ${code} on ${path}; check that the state directory is on a local filesystem that supports flock`);
  }

  get held(): boolean {
    return this.handle !== undefined;
  }

  async release(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}

function runFlock(fd: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['--exclusive', '--nonblock', '3'], { stdio: ['ignore', 'ignore', 'pipe', fd] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new Error('flock(1) is not installed; local mode locks its state directory with it (Debian/Ubuntu: apt-get install util-linux)')
          : err,
      );
    });
    child.on('close', (code) => {
      if (code !== 0 && code !== 1 && stderr !== '') reject(new Error(`flock(1): ${stderr.trim()}`));
      else resolve(code ?? -1);
    });
  });
}
