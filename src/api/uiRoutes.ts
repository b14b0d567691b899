// Serves the web UI: the static files in src/ui/static under /ui/, and
// redirects / and /ui there. It serves only regular files inside that folder
// with a known media type; it never follows a path out of it. Like /v1/health,
// these routes stay open: the UI holds code, and asks for a token itself.

import Router from '@koa/router';
import type { Context } from 'koa';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { packageRoot } from '../common/packageRoot.js';

export const UI_PREFIX = '/ui/';

const MEDIA_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

// The UI loads nothing from elsewhere; the browser enforces it.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function uiStaticDir(): string {
  return join(packageRoot(), 'src', 'ui', 'static');
}

/** The file a request path names inside the UI folder, or undefined when it names none (or tries to leave it). */
export function uiFileFor(dir: string, requestPath: string): string | undefined {
  if (!requestPath.startsWith(UI_PREFIX)) return undefined;
  const rest = requestPath.slice(UI_PREFIX.length);
  const segments: string[] = [];
  for (const raw of (rest === '' ? 'index.html' : rest).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    // "." and ".." would walk, "" doubles a slash, and a decoded separator or NUL smuggles one in
    if (segment === '' || segment === '.' || segment === '..' || /[/\\\0]/.test(segment) || segment.startsWith('.')) return undefined;
    segments.push(segment);
  }
  if (MEDIA_TYPES[extname(segments[segments.length - 1]!)] === undefined) return undefined;
  return join(dir, ...segments);
}

async function serveFile(ctx: Context, dir: string): Promise<void> {
  const candidate = uiFileFor(dir, ctx.path);
  if (candidate === undefined) return notFound(ctx);
  let file: string;
  let root: string;
  try {
    // a symbolic link inside the folder must not lead out of it either
    [file, root] = await Promise.all([realpath(candidate), realpath(dir)]);
  } catch {
    return notFound(ctx);
  }
  if (!file.startsWith(root + sep)) return notFound(ctx);
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) return notFound(ctx);

  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  // no hashed file names: the browser may keep a copy but must ask each time, so an upgrade shows at once
  ctx.set('Cache-Control', 'no-cache');
  ctx.set('ETag', etag);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  if (extname(file) === '.html') {
    ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    ctx.set('X-Frame-Options', 'DENY');
  }
  if (ctx.get('If-None-Match') === etag) {
    ctx.status = 304;
    return;
  }
  ctx.type = MEDIA_TYPES[extname(file)]!;
  ctx.body = await readFile(file);
}

function notFound(ctx: Context): void {
  ctx.status = 404;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { message: `no such UI file: ${ctx.path}` };
}

export function uiRoutes(dir: string = uiStaticDir()): Router {
  const router = new Router();
  const toUi = (ctx: Context): void => ctx.redirect(UI_PREFIX);
  // exact paths: the router's string routes would also take "/ui/" for "/ui"
  router.get(/^\/$/, toUi);
  router.get(/^\/ui$/, toUi);
  router.get(/^\/ui\/.*/, (ctx) => serveFile(ctx, dir));
  return router;
}
