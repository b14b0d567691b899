// Runs a host tool (losetup, mount, mkfs.ext4, blkid, fuser, sync) with its
// arguments as an array, never through a shell, and returns its exit code and
// output. A missing tool or an unexpected exit becomes a NodeError naming the
// command and what it said.

import { spawn } from 'node:child_process';
import { NodeError } from './nodeError.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `command`; an exit code outside `okCodes` (default [0]) is a COMMAND_FAILED NodeError. */
export async function runHostCommand(command: string, args: string[], okCodes: number[] = [0]): Promise<CommandResult> {
  const result = await spawnCollect(command, args);
  if (!okCodes.includes(result.code)) {
    const said = (result.stderr.trim() || result.stdout.trim()).slice(0, 2000);
    throw new NodeError('COMMAND_FAILED', `${command} ${args.join(' ')} exited with ${result.code}${said === '' ? '' : `: ${said}`}`);
  }
  return result;
}

function spawnCollect(command: string, args: string[]): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ENOENT' ? new NodeError('COMMAND_FAILED', `${command} is not installed on this agent`) : err);
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal === null ? -1 : 128), stdout, stderr }));
  });
}
