// The Mesos fetcher for one sandbox: downloads or copies each CommandInfo.URI,
// then makes it executable or extracts it as asked. Failures come back as a
// message; it never throws and never writes outside the sandbox.

import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir } from 'node:fs/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandURI } from '../mesos/types.js';

export type FetchResult = { ok: true } | { ok: false; error: string };

const MAX_REDIRECTS = 5;
const ARCHIVES = ['.tar', '.tgz', '.tar.gz', '.tbz2', '.tar.bz2', '.txz', '.tar.xz', '.zip'];

export async function fetchUris(uris: readonly CommandURI[], sandbox: string): Promise<FetchResult> {
  for (const uri of uris) {
    const result = await fetchOne(uri, sandbox);
    if (!result.ok) return result;
  }
  return { ok: true };
}

async function fetchOne(uri: CommandURI, sandbox: string): Promise<FetchResult> {
  const name = uri.output_file ?? uriBasename(uri.value);
  if (name === '') return { ok: false, error: `Failed to determine the basename of URI '${uri.value}'` };
  const destination = join(sandbox, name);
  const inside = relative(sandbox, destination);
  if (inside.startsWith('..') || isAbsolute(inside)) {
    return { ok: false, error: `Output file '${name}' of URI '${uri.value}' is outside the sandbox` };
  }
  try {
    await mkdir(dirname(destination), { recursive: true });
    await download(uri.value, destination);
    if (uri.executable === true) {
      await chmod(destination, 0o755);
    } else if (uri.extract !== false) {
      await extract(destination, sandbox);
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, error: `Failed to fetch '${uri.value}': ${(err as Error).message}` };
  }
}

/** The last path component of a URI, without query or fragment (Fetcher::basename). */
function uriBasename(value: string): string {
  const withoutQuery = value.split(/[?#]/)[0]!;
  return basename(withoutQuery.replace(/\/+$/, ''));
}

async function download(source: string, destination: string): Promise<void> {
  if (/^https?:\/\//i.test(source)) return downloadHttp(source, destination, 0);
  if (source.startsWith('file://')) return copyFile(fileURLToPath(source), destination);
  if (isAbsolute(source)) return copyFile(source, destination);
  throw new Error('the simulator fetches http(s) URLs, file:// URLs and absolute local paths only');
}

function downloadHttp(url: string, destination: string, redirects: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const getter = url.toLowerCase().startsWith('https:') ? httpsGet : httpGet;
    const request = getter(url, (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        response.resume();
        if (redirects >= MAX_REDIRECTS) return reject(new Error(`too many redirects from ${url}`));
        downloadHttp(new URL(location, url).toString(), destination, redirects + 1).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        response.resume();
        return reject(new Error(`HTTP ${status} from ${url}`));
      }
      const file = createWriteStream(destination);
      response.pipe(file);
      file.on('finish', () => resolve());
      file.on('error', reject);
      response.on('error', reject);
    });
    request.on('error', reject);
    request.setTimeout(60_000, () => request.destroy(new Error(`no answer from ${url} within 60 s`)));
  });
}

async function extract(path: string, sandbox: string): Promise<void> {
  if (ARCHIVES.some((ext) => path.endsWith(ext))) {
    if (path.endsWith('.zip')) await run('unzip', ['-o', '-q', path, '-d', sandbox]);
    else await run('tar', ['-C', sandbox, '-xf', path]);
    return;
  }
  if (path.endsWith('.gz')) {
    await run('sh', ['-c', 'gunzip -d -c "$1" > "$2"', 'gunzip', path, path.slice(0, -3)]);
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (err) => reject(new Error(`'${command}' could not run: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`'${command} ${args.join(' ')}' failed: ${signal !== null ? `signal ${signal}` : `exit status ${code}`}${stderr !== '' ? `: ${stderr.trim()}` : ''}`));
    });
  });
}
