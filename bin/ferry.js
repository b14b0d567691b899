#!/usr/bin/env node
// The `ferry` command: runs the compiled CLI from dist/ (built by `npm install`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('ferry: the compiled CLI is missing; run `npm install` (or `npm run build`) in the ferry directory first');
  process.exit(1);
}
await import(main.href);
