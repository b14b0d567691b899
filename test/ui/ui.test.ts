import t from 'tap';
import type { Page } from 'playwright-core';
import { waitFor } from '../support/ferryProcess.js';
import { startInProcessFerry, type InProcessFerry } from '../support/ferryInProcess.js';
import { launchChromium, SCREENSHOT_DIR, screenshot, watchPage } from './browser.js';

interface Detail {
  tasks: { id: string; agentId: string; state: string }[];
  datasets: { name: string; agentId?: string; state: string }[];
}
interface MoveView {
  id: string;
  state: string;
  from: string;
  to: string;
  steps: { step: string }[];
}

const APP_ID = '/shop/notes';
const DATASET = 'shop-notes-data';

function notesApp(extra: Record<string, unknown> = {}) {
  return {
    id: APP_ID,
    cmd: 'while true; do date >> data/notes; sleep 0.2; done',
    cpus: 0.1,
    mem: 32,
    instances: 1,
    portDefinitions: [],
    container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', external: { name: DATASET, size: 1, provider: 'ferry' } }] },
    ...extra,
  };
}

async function runningAgent(ferry: InProcessFerry): Promise<string> {
  let detail: Detail | undefined;
  await waitFor(
    async () => {
      detail = (await ferry.call<Detail>('GET', `/v1/apps${APP_ID}`)).body;
      return detail.tasks?.some((x) => x.state === 'TASK_RUNNING') === true;
    },
    30_000,
    () => JSON.stringify(detail),
  );
  return detail!.tasks.find((x) => x.state === 'TASK_RUNNING')!.agentId;
}

/** The table row whose first cell (its row header) is exactly `name`. */
function rowOf(page: Page, table: string, name: string) {
  return page.locator(`#${table} tbody tr`).filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

async function deployThroughForm(page: Page, definition: unknown): Promise<void> {
  await page.getByRole('link', { name: 'Deploy', exact: true }).click();
  await page.getByLabel('App definition (Marathon JSON)').fill(JSON.stringify(definition, null, 2));
  await page.getByRole('button', { name: 'Deploy…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('heading', { name: /^(Deploy|Update) / }).waitFor();
  await dialog.getByRole('button', { name: /^(Deploy|Update)$/ }).click();
  await dialog.waitFor({ state: 'detached' });
}

const ferry = await startInProcessFerry(t, { config: { moveOpRetrySeconds: 5 } });
const origin = `http://${ferry.api}`;
const browser = await launchChromium(t);
t.comment(`screenshots: ${SCREENSHOT_DIR}`);

t.test('an operator deploys an app from JSON, sees it run, moves it to any agent and watches the move succeed', async (t) => {
  const page = await browser.newPage();
  t.teardown(() => page.close());
  const seen = watchPage(page, origin);

  await page.goto(`${origin}/`);
  t.equal(new URL(page.url()).pathname, '/ui/', '/ redirects to the UI');
  await page.getByRole('heading', { name: 'Apps', level: 2 }).waitFor();
  await page.getByText('No apps yet.').waitFor();
  const mode = await page.locator('#live-status').getAttribute('data-mode');
  t.comment(`updates: ${await page.locator('#live-text').textContent()}`);
  t.ok(['live', 'polling', 'connecting'].includes(mode ?? ''), `the page keeps itself current (${mode})`);

  // a definition the server refuses: its message and field are shown beside it, nothing is created
  await deployThroughForm(page, notesApp({ cpus: -1 }));
  const refusal = page.locator('#deploy-error');
  await refusal.waitFor();
  t.match(await refusal.textContent(), /Not deployed: cpus: /, 'the refusal names the field at fault');
  t.equal(await page.getByLabel('App definition (Marathon JSON)').getAttribute('aria-invalid'), 'true', 'the definition is marked invalid');
  t.comment(`screenshot: ${await screenshot(page, '01-deploy-refused')}`);
  t.equal((await ferry.call('GET', `/v1/apps${APP_ID}`)).status, 404, 'the refused app does not exist');

  // JSON that does not parse is caught before it is sent
  await page.getByLabel('App definition (Marathon JSON)').fill('{"id": "/broken",');
  await page.getByRole('button', { name: 'Deploy…' }).click();
  t.match(await refusal.textContent(), /body: the definition is not valid JSON/);
  t.equal(await page.getByRole('dialog').count(), 0, 'no confirmation is asked for JSON that does not parse');

  // the real one
  await deployThroughForm(page, notesApp());
  await page.waitForURL(/#\/apps$/);
  const row = rowOf(page, 'apps-table', APP_ID);
  await row.getByText('1/1').waitFor({ timeout: 30_000 });
  await row.getByText('READY', { exact: true }).waitFor({ timeout: 10_000 });
  t.match(await row.textContent(), new RegExp(`${DATASET}\\s*READY`), 'the app row shows its dataset, ready');
  // the row follows the task's record as it fills in: wait for it, then say what it shows
  await row.getByText('volume', { exact: true }).waitFor({ timeout: 10_000 }).catch(() => undefined);
  const rowText = await row.textContent();
  t.match(rowText, /volume/, `and how the task reaches it: ${rowText}`);
  t.comment(`screenshot: ${await screenshot(page, '02-apps-running')}`);
  const source = await runningAgent(ferry);

  // move it to "any" agent
  await row.getByRole('button', { name: `Move ${APP_ID}` }).click();
  const dialog = page.getByRole('dialog');
  t.equal(await dialog.getByLabel('Destination agent').inputValue(), 'any', '"any" is the default destination');
  t.equal(await dialog.locator(`option[value="${source}"]`).getAttribute('disabled'), '', 'the agent holding the data cannot be chosen');
  t.comment(`screenshot: ${await screenshot(page, '03-move-dialog')}`);
  await dialog.getByRole('button', { name: 'Move', exact: true }).click();
  await page.waitForURL(/#\/moves\/[^/]+$/);
  const moveId = decodeURIComponent(page.url().split('#/moves/')[1]!);
  const detail = page.locator('section.move-detail');
  await detail.getByRole('heading', { name: `Move ${moveId}` }).waitFor();
  // the move ends (as the page shows it), and it ended well: a rolled-back move fails here at once, with its reason
  await page.waitForSelector('section.move-detail:not([data-move-state="RUNNING"])', { timeout: 90_000 }).catch(async (err: Error) => {
    const api = await ferry.call('GET', `/v1/moves/${moveId}`);
    throw new Error(`${err.message}\nthe API says: ${JSON.stringify(api.body)}\nthe page shows: ${await screenshot(page, '04-move-timeline-timed-out')}`);
  });
  const ended = await detail.getAttribute('data-move-state');
  if (ended !== 'SUCCEEDED') t.comment(`screenshot: ${await screenshot(page, '04-move-timeline-not-succeeded')}`);
  t.equal(ended, 'SUCCEEDED', `the move succeeded (the page says: ${await detail.locator('.facts').textContent()})`);
  if (ended !== 'SUCCEEDED') return;

  const steps = await detail.locator('.timeline .step-name').allTextContents();
  t.same(steps, ['RECEIVER', 'PRECOPY', 'STOP_TASK', 'FINAL_COPY', 'SWITCH', 'LAUNCH', 'CLEANUP', 'DONE'], 'the timeline shows every step');
  const durations = await detail.locator('.timeline .step-duration').allTextContents();
  t.ok(durations.every((d) => /^\d+(\.\d+)? (ms|s)$|^\d+ min \d+ s$/.test(d)), `each step shows how long it took: ${durations.join(', ')}`);
  t.match(await detail.locator('.facts').textContent(), /StateSUCCEEDED/);
  t.comment(`screenshot: ${await screenshot(page, '04-move-timeline')}`);

  const move = (await ferry.call<{ move: MoveView }>('GET', `/v1/moves/${moveId}`)).body.move;
  t.equal(move.state, 'SUCCEEDED');
  t.equal(move.from, source);
  t.not(move.to, source, 'the move chose another agent');
  await waitFor(async () => (await runningAgent(ferry)) === move.to, 30_000, () => 'the app does not run on the destination');

  // the other views follow
  await page.getByRole('link', { name: 'Apps', exact: true }).click();
  await row.getByText('1/1').waitFor({ timeout: 30_000 });
  await page.getByRole('link', { name: 'Datasets', exact: true }).click();
  const datasetRow = rowOf(page, 'datasets-table', DATASET);
  await datasetRow.waitFor();
  t.match(await datasetRow.textContent(), /READY/);
  t.match(await datasetRow.textContent(), new RegExp(`${APP_ID} #0`), 'the dataset names its owner');
  t.comment(`screenshot: ${await screenshot(page, '05-datasets')}`);

  await page.getByRole('link', { name: 'Agents', exact: true }).click();
  const holder = page.locator('#agents-table tbody tr', { hasText: move.to });
  await holder.getByText(DATASET).waitFor({ timeout: 10_000 });
  t.pass('the destination agent lists the dataset it holds');
  t.comment(`screenshot: ${await screenshot(page, '06-agents')}`);

  await page.getByRole('link', { name: 'Tasks', exact: true }).click();
  await page.locator('#tasks-table').waitFor();
  t.ok((await page.locator('#tasks-table tbody tr', { hasText: 'RUNNING' }).count()) >= 1, 'the running task is listed');
  t.comment(`screenshot: ${await screenshot(page, '07-tasks')}`);

  await page.getByRole('link', { name: 'Moves', exact: true }).click();
  t.match(await page.locator('#moves-table tbody tr', { hasText: moveId.slice(0, 8) }).textContent(), /SUCCEEDED/);

  t.same(seen.foreignRequests, [], 'the page asked nothing of any other origin');
  t.same(seen.errors, [], 'no script errors');
});

t.test('scale and restart ask for confirmation, and a cancelled dialog changes nothing', async (t) => {
  const page = await browser.newPage();
  t.teardown(() => page.close());
  const seen = watchPage(page, origin);
  await page.goto(`${origin}/ui/#/apps`);
  const row = rowOf(page, 'apps-table', APP_ID);
  await row.getByText('1/1').waitFor({ timeout: 30_000 });
  const before = (await ferry.call<Detail>('GET', `/v1/apps${APP_ID}`)).body.tasks.map((x) => x.id);

  await row.getByRole('button', { name: `Restart ${APP_ID}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  t.same((await ferry.call<Detail>('GET', `/v1/apps${APP_ID}`)).body.tasks.map((x) => x.id), before, 'a cancelled restart restarts nothing');

  await row.getByRole('button', { name: `Scale ${APP_ID}` }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Instances').fill('-2');
  await dialog.getByRole('button', { name: 'Scale', exact: true }).click();
  await dialog.getByRole('alert').getByText('instances must be an integer >= 0').waitFor();
  t.equal(await dialog.getByLabel('Instances').getAttribute('aria-invalid'), 'true', 'the field at fault is marked');
  await dialog.getByLabel('Instances').fill('2');
  await dialog.getByRole('button', { name: 'Scale', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await row.getByText('2/2').waitFor({ timeout: 30_000 });
  t.pass('the app runs two instances');
  t.comment(`screenshot: ${await screenshot(page, '08-scaled')}`);
  t.same(seen.errors, [], 'no script errors');
});

t.test('a dataset moved from the Datasets page can be cancelled from its timeline, and it stays where it was', async (t) => {
  // an app that ignores SIGTERM for its kill grace period: the move waits in STOP_TASK, long enough to cancel it
  const stubborn = {
    ...notesApp({ id: '/shop/stubborn', cmd: 'trap "" TERM; while true; do date >> data/notes; sleep 0.2; done', taskKillGracePeriodSeconds: 15 }),
    container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', external: { name: 'shop-stubborn-data', size: 1, provider: 'ferry' } }] },
  };
  t.equal((await ferry.call('POST', '/v1/apps', stubborn)).status, 201);
  const page = await browser.newPage();
  t.teardown(() => page.close());
  const seen = watchPage(page, origin);
  await page.goto(`${origin}/ui/#/datasets`);
  const row = rowOf(page, 'datasets-table', 'shop-stubborn-data');
  await row.getByText('READY', { exact: true }).waitFor({ timeout: 30_000 });
  const holder = (await ferry.call<{ dataset: { agentId: string } }>('GET', '/v1/datasets/shop-stubborn-data')).body.dataset.agentId;
  await waitFor(async () => (await ferry.call<Detail>('GET', '/v1/apps/shop/stubborn')).body.tasks.some((x) => x.state === 'TASK_RUNNING'), 30_000, () => 'never ran');

  await row.getByRole('button', { name: 'Move dataset shop-stubborn-data' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Move', exact: true }).click();
  await page.waitForURL(/#\/moves\/[^/]+$/);
  const detail = page.locator('section.move-detail');
  await detail.getByRole('button', { name: 'Cancel this move…' }).click();
  const dialog = page.getByRole('dialog');
  t.match(await dialog.textContent(), /rolled back/, 'the dialog says what cancelling does');
  await dialog.getByRole('button', { name: 'Cancel the move', exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 10_000 }).catch(async (err: Error) => {
    throw new Error(`${err.message}\nthe dialog says: ${await dialog.textContent()}`);
  });
  await page.waitForSelector('section.move-detail:not([data-move-state="RUNNING"])', { timeout: 60_000 });
  t.equal(await detail.getAttribute('data-move-state'), 'CANCELLED', `the move is cancelled (the page says: ${await detail.locator('.facts').textContent()})`);
  t.ok((await detail.locator('.timeline .step-name').allTextContents()).includes('ROLLBACK'), 'the timeline shows the rollback');
  t.comment(`screenshot: ${await screenshot(page, '09-move-cancelled')}`);
  t.equal((await ferry.call<{ dataset: { agentId: string } }>('GET', '/v1/datasets/shop-stubborn-data')).body.dataset.agentId, holder, 'the dataset stays on its agent');
  t.same(seen.errors, [], 'no script errors');
});

t.test('a server that answers 401 gets a bearer token, kept in this tab and sent from then on', async (t) => {
  const page = await browser.newPage();
  t.teardown(() => page.close());
  const seen = watchPage(page, origin);
  let authorized = 0;
  // the API's auth may not be there yet: a stand-in answers 401 unless the token comes along
  await page.route('**/v1/**', async (route) => {
    if (route.request().headers()['authorization'] !== 'Bearer s3cret') {
      await route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ message: 'a bearer token is required' }) });
      return;
    }
    authorized++;
    await route.continue();
  });
  await page.goto(`${origin}/ui/`);
  const auth = page.getByRole('region', { name: 'This Ferry needs a bearer token' });
  await auth.waitFor();
  t.match(await auth.textContent(), /401: a bearer token is required/);
  t.comment(`screenshot: ${await screenshot(page, '10-token-asked')}`);
  await auth.getByLabel('Bearer token').fill('s3cret');
  await auth.getByRole('button', { name: 'Use this token' }).click();
  await rowOf(page, 'apps-table', APP_ID).waitFor({ timeout: 10_000 });
  t.ok(authorized > 0, 'requests carry the token');
  t.equal(await page.evaluate('sessionStorage.getItem("ferry.token")'), 's3cret', 'the token is kept in sessionStorage');
  t.equal(await page.evaluate('localStorage.length'), 0, 'and nowhere that outlives the tab');
  t.ok(await auth.isHidden(), 'the token form goes away');
  await page.getByRole('button', { name: 'Forget the token' }).click();
  t.equal(await page.evaluate('sessionStorage.getItem("ferry.token")'), null, 'the token can be forgotten');
  t.same(seen.errors, [], 'no script errors');
});

t.test('the event stream is read in pieces; without one the UI polls and keeps trying', async (t) => {
  const page = await browser.newPage();
  t.teardown(() => page.close());
  // a same-origin page without the UI's own script, to drive the modules alone
  await page.goto(`${origin}/v1/health`);

  const parsed = await page.evaluate(async () => {
    const { SseParser } = await import('/ui/sseParser.js' as string);
    const events: unknown[] = [];
    const parser = new SseParser((e: unknown) => events.push(e));
    for (const chunk of ['event: move\ndata: {"id":', '"m1"}\n\n: a comment\nevent: app\r\ndata: 1\r\ndata: 2\r', '\n\r\ndata: plain\n', '\n']) parser.push(chunk);
    return events;
  });
  t.same(parsed, [
    { type: 'move', data: '{"id":"m1"}', id: '' },
    { type: 'app', data: '1\n2', id: '' },
    { type: 'message', data: 'plain', id: '' },
  ]);

  await page.route('**/v1/events', (route) =>
    route.fulfill({
      status: 200,
      headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' },
      body: 'event: move\ndata: {"id":"m1","steps":[]}\n\nevent: app\ndata: {"id":"/x","deleted":true}\n\n',
    }),
  );
  const streamed = await page.evaluate(async () => {
    const { LiveUpdates } = await import('/ui/liveUpdates.js' as string);
    const events: unknown[] = [];
    const modes: string[] = [];
    let refreshes = 0;
    const live = new LiveUpdates({ onEvent: (type: string, data: unknown) => events.push([type, data]), refresh: () => refreshes++, onMode: (mode: string) => modes.push(mode), pollMs: 60_000 });
    live.start();
    const deadline = Date.now() + 5000;
    while (!modes.includes('reconnecting') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    live.stop();
    return { events, modes, refreshes };
  });
  t.same(streamed.events, [
    ['move', { id: 'm1', steps: [] }],
    ['app', { id: '/x', deleted: true }],
  ]);
  t.same(streamed.modes.slice(0, 3), ['connecting', 'live', 'reconnecting'], 'live while the stream lasts, then it reconnects');
  t.ok(streamed.refreshes >= 1, 'a new stream catches up with one full read');

  await page.unroute('**/v1/events');
  await page.route('**/v1/events', (route) => route.fulfill({ status: 404, contentType: 'application/json', body: '{"message":"no such resource"}' }));
  const polled = await page.evaluate(async () => {
    const { LiveUpdates } = await import('/ui/liveUpdates.js' as string);
    const modes: string[] = [];
    let refreshes = 0;
    const live = new LiveUpdates({ onEvent: () => undefined, refresh: () => refreshes++, onMode: (mode: string) => modes.push(mode), pollMs: 100 });
    live.start();
    await new Promise((r) => setTimeout(r, 550));
    live.stop();
    const after = refreshes;
    await new Promise((r) => setTimeout(r, 300));
    return { modes, refreshes: after, stopped: refreshes === after };
  });
  t.same(polled.modes, ['connecting', 'polling'], 'a 404 means: poll');
  t.ok(polled.refreshes >= 4, `it polls (${polled.refreshes} reads in 550 ms at 100 ms)`);
  t.ok(polled.stopped, 'and stops when told');
});
