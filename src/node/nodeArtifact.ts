// Ferry's node artifact: the compiled node-plane code and the few packages it
// needs, as one tar.gz that agents fetch through CommandInfo.uris, so agents
// need nothing installed but Node. Built once per process from the installed
// package; never includes the scheduler's own dependencies.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../common/packageRoot.js';

const run = promisify(execFile);

/** The archive's top directory, which the fetcher extracts into the sandbox. */
export const ARTIFACT_DIR = 'ferry-node';
export const ARTIFACT_NAME = 'ferry-node.tar.gz';
/** The executor's entry point inside the extracted artifact. */
export const EXECUTOR_ENTRY = `${ARTIFACT_DIR}/dist/src/node/executorMain.js`;

/** Packages the node code imports at run time; their own dependencies come along. */
const RUNTIME_PACKAGES = ['zod', 'pino'];
/** Compiled folders the node code reaches (the executor, its operations and what they import). */
const COMPILED = ['dist/src/node', 'dist/src/common', 'dist/src/mesos', 'dist/src/state', 'dist/src/backends'];

export interface NodeArtifact {
  path: string;
  bytes: Buffer;
  sha256: string;
}

function withDependencies(root: string, names: string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    const manifest = join(root, 'node_modules', name, 'package.json');
    if (!existsSync(manifest)) throw new Error(`the node artifact needs the package ${name}, which is not installed in ${root}`);
    seen.add(name);
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
  };
  for (const n of names) visit(n);
  return [...seen].sort().map((n) => `node_modules/${n}`);
}

let building: Promise<NodeArtifact> | undefined;

/** Builds the artifact on first use and hands out the same bytes afterwards. */
export function nodeArtifact(): Promise<NodeArtifact> {
  return (building ??= build().catch((err: unknown) => {
    building = undefined;
    throw err;
  }));
}

async function build(): Promise<NodeArtifact> {
  const root = packageRoot();
  for (const dir of COMPILED) {
    if (!existsSync(join(root, dir))) throw new Error(`${join(root, dir)} is missing: build Ferry (npm run build) before serving the node artifact`);
  }
  const out = join(await mkdtemp(join(tmpdir(), 'ferry-artifact-')), ARTIFACT_NAME);
  const members = ['package.json', ...COMPILED, ...withDependencies(root, RUNTIME_PACKAGES)];
  await run('tar', ['-czf', out, '--exclude=*.map', '--exclude=*.d.ts', '--transform', `s,^,${ARTIFACT_DIR}/,`, '-C', root, ...members]);
  const bytes = await readFile(out);
  return { path: out, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
