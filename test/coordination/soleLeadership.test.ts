import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { silentLogger } from '../../src/common/log.js';
import { readLocalEpoch, SoleLeadership } from '../../src/coordination/soleLeadership.js';
import { FileStateStore } from '../../src/state/fileStateStore.js';
import { candidate, nextEvent } from '../fixtures/candidates.js';
import { startChildLeader } from '../fixtures/childLeader.js';
import { appRecord } from '../state/recordBuilders.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

async function stateDir(t: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-sole-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function soleOn(t: Teardown, dir: string, id: string, retryMs = 100): SoleLeadership {
  const sole = new SoleLeadership({ dir, candidate: candidate(id), logger: silentLogger(), retryMs });
  t.teardown(() => sole.stop());
  return sole;
}

t.test('a second instance on the same directory cannot lead until the first stops', async (t) => {
  const dir = await stateDir(t);
  const first = soleOn(t, dir, 'first');
  const firstElected = nextEvent<{ epoch: number }>(first, 'elected', 5_000);
  await first.start();
  t.equal((await firstElected).epoch, 1);

  const second = soleOn(t, dir, 'second');
  await second.start();
  t.equal(second.isLeader, false);
  t.equal(second.currentTerm(), undefined);
  t.same(await second.leaderInfo(), candidate('first'), 'it names who leads');
  await t.rejects(new FileStateStore({ dir, leadership: second }).put('app', '/x', appRecord({ id: '/x' })), { name: 'FencedWriteError' });

  const secondElected = nextEvent<{ epoch: number }>(second, 'elected', 5_000);
  await first.stop();
  t.equal((await secondElected).epoch, 2);
  t.equal(await readLocalEpoch(dir), 2, 'the epoch is kept in the directory');
  t.same(await second.leaderInfo(), candidate('second'));
});

t.test('the lock dies with its holder: a killed leader is replaced and its acknowledged writes are kept', async (t) => {
  const dir = await stateDir(t);
  const child = startChildLeader(t, ['file', dir, 'child']);
  t.equal((await child.next('elected', 15_000))['epoch'], 1);
  child.send({ put: { kind: 'app', id: '/db', record: appRecord({ id: '/db', version: 'child' }) } });
  t.same(await child.next('put', 5_000), { event: 'put', ok: true });

  const waiting = soleOn(t, dir, 'waiting');
  await waiting.start();
  t.equal(waiting.isLeader, false, 'not while the child holds the lock');
  child.signal('SIGSTOP');
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(waiting.isLeader, false, 'a paused holder still holds the lock');
  const elected = nextEvent<{ epoch: number }>(waiting, 'elected', 5_000);
  child.signal('SIGKILL');
  await child.exited;
  t.equal((await elected).epoch, 2);
  const store = new FileStateStore({ dir, leadership: waiting });
  t.teardown(() => store.close());
  t.equal((await store.load()).apps.get('/db')?.version, 'child');
  await store.put('app', '/db', appRecord({ id: '/db', version: 'waiting' }));
});

t.test('stepping down releases the lock and the process leads again later with a new epoch', async (t) => {
  const dir = await stateDir(t);
  const sole = soleOn(t, dir, 'only');
  const elected = nextEvent<{ epoch: number }>(sole, 'elected', 5_000);
  await sole.start();
  const { epoch } = await elected;
  sole.stepDown(epoch + 1, 'not this term');
  t.equal(sole.isLeader, true);
  const deposed = nextEvent<{ reason: string }>(sole, 'deposed', 5_000);
  const again = nextEvent<{ epoch: number }>(sole, 'elected', 5_000);
  sole.stepDown(epoch, 'a fenced write');
  t.match((await deposed).reason, /a fenced write/);
  t.equal((await again).epoch, epoch + 1);
});
