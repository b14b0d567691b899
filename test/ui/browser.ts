// Debian's Chromium, driven by playwright-core, for the UI tests: headless,
// without a sandbox (tests may run as root), with a fresh profile, and with
// everything that would reach the network on its own switched off. Never
// downloads a browser: `bash scripts/install-deps.sh chromium` installs it.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { packageRoot } from '../../src/common/packageRoot.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(packageRoot(), '.tap', 'ui-screenshots');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A browser with its own throwaway profile; closed and removed at teardown. */
export async function launchChromium(t: Teardown): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with \`bash scripts/install-deps.sh chromium\` (npm test does)`);
  const profile = await mkdtemp(join(tmpdir(), 'ferry-ui-chromium-'));
  // launchPersistentContext passes the profile as --user-data-dir
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 900 },
    timezoneId: 'UTC',
    locale: 'en-GB',
  });
  t.teardown(async () => {
    await context.close().catch(() => undefined);
    await rm(profile, { recursive: true, force: true });
  });
  return context;
}

/** What a page did that a UI must not: requests off its own origin, uncaught errors, console errors. */
export function watchPage(page: Page, origin: string): { foreignRequests: string[]; errors: string[] } {
  const seen = { foreignRequests: [] as string[], errors: [] as string[] };
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith('data:')) seen.foreignRequests.push(url);
  });
  page.on('pageerror', (err) => seen.errors.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    // the browser logs every 4xx answer as a console error; the UI expects them (a 404 for /v1/events says: poll; a 422 is a refusal it shows)
    if (msg.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())) seen.errors.push(msg.text());
  });
  return seen;
}

/** Saves a full-page screenshot under .tap/ui-screenshots and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
