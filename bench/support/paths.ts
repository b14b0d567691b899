// Where the compiled Ferry lives, for benchmarks that start it as a process.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/common/packageRoot.js';

export const FERRY_ROOT = packageRoot();
export const FERRY_MAIN = join(FERRY_ROOT, 'dist', 'src', 'cli', 'main.js');

export function requireBuild(): void {
  if (!existsSync(FERRY_MAIN)) throw new Error(`${FERRY_MAIN} is missing: run \`npm run build\` first`);
}
