// Replacing a small state file whole (write a temporary file beside it, then
// rename it over the target), so readers see the old or the new content and
// never a mix. Durability is the caller's choice: a durable write syncs the
// data before the rename, and the caller syncs the directory once for a
// batch of renames instead of once per file.

import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function replaceFile(path: string, data: string, options: { syncData: boolean }): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    if (options.syncData) await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(temp, path);
}
