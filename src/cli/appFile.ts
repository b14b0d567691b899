// Reads the Marathon app definition `ferry apps deploy` sends: a JSON file, or
// stdin for "-". Accepts Marathon's own GET answer ({"app": {...}}) too. It
// checks only that there is one JSON object; the API validates the app.

import { readFile } from 'node:fs/promises';
import { UsageError } from './exitCodes.js';

export interface AppFile {
  /** where it came from, for messages: the path or "stdin" */
  source: string;
  definition: Record<string, unknown>;
  /** the app id the definition names, if it names one */
  id?: string;
}

export async function readAppFile(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<AppFile> {
  const source = path === '-' ? 'stdin' : path;
  let text: string;
  try {
    text = path === '-' ? await readAll(stdin) : await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new UsageError(`cannot read the app definition ${source}: ${why}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the app definition ${source} is not JSON: ${(err as Error).message}`);
  }
  // Marathon's GET /v2/apps/{id} wraps the definition: {"app": {...}}
  if (isObject(parsed) && Object.keys(parsed).length === 1 && isObject(parsed['app'])) parsed = parsed['app'];
  if (!isObject(parsed)) {
    throw new UsageError(`the app definition ${source} must be one JSON object (a Marathon app), not ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  }
  const id = parsed['id'];
  return { source, definition: parsed, ...(typeof id === 'string' && id.trim() !== '' ? { id } : {}) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
