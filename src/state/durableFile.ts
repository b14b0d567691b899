// Replaces a whole file so that after a crash it holds either the old or the
// new content, never a mix: write a temporary file beside it, fsync it,
// rename it over the target, fsync the directory. Never leaves a partial
// target behind; a leftover temporary file is harmless and named as such.
// A caller that must order the replacement after other writes (data before
// the record that describes it) stages the file first and installs it later.

import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const TEMP_SUFFIX = '.tmp';

export async function writeFileDurably(path: string, data: Buffer | string, mode = 0o644): Promise<void> {
  const staged = await stageFile(path, data, mode);
  await installFile(staged);
  await fsyncDirectory(dirname(path));
}

/** A durable temporary file that `installFile` renames over its target. */
export interface StagedFile {
  path: string;
  temp: string;
}

/** Writes `data` to a temporary file beside `path` and makes it durable; the target is not touched yet. */
export async function stageFile(path: string, data: Buffer | string, mode = 0o644): Promise<StagedFile> {
  const temp = join(dirname(path), `${tempPrefixOf(path)}${process.pid}.${Date.now().toString(36)}${TEMP_SUFFIX}`);
  const handle = await open(temp, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  return { path, temp };
}

/** Renames a staged file over its target; durable once its directory is synced (`fsyncDirectory`, once for several). */
export async function installFile(staged: StagedFile): Promise<void> {
  await rename(staged.temp, staged.path);
}

/** Removes a staged file that will not be installed. */
export async function discardFile(staged: StagedFile): Promise<void> {
  await rm(staged.temp, { force: true });
}

/** How the names of `path`'s temporary files begin (a crash may leave one behind to clean up). */
export function tempPrefixOf(path: string): string {
  return `.${basename(path)}.`;
}

/** Makes a directory's entries (created, renamed, removed files) durable. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
