import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '../support/ferryProcess.js';
import { startInProcessFerry, type InProcessFerry } from '../support/ferryInProcess.js';

interface Detail {
  tasks: { id: string; agentId: string; state: string }[];
  datasets: { name: string; agentId: string; hostPath: string; state: string }[];
}
interface MoveView {
  id: string;
  state: string;
  step: string;
  from: string;
  to: string;
  steps: { step: string; outcome?: string; detail?: string }[];
  error?: string;
}

function appender(id: string, witness: string) {
  return {
    id,
    // each record is appended and fsynced in the dataset before it is acknowledged in the witness file
    cmd: 'n=$(wc -l < data/records 2>/dev/null || echo 0); while true; do n=$((n+1)); echo $n >> data/records && sync data/records && echo $n >> "$WITNESS"; sleep 0.05; done',
    cpus: 0.1,
    mem: 32,
    portDefinitions: [],
    env: { WITNESS: witness },
    container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', external: { name: `${id.slice(1)}-data`, size: 1, provider: 'ferry' } }] },
  };
}

async function running(ferry: InProcessFerry, id: string, notOn?: string): Promise<Detail> {
  let d: Detail | undefined;
  await waitFor(
    async () => {
      d = (await ferry.call<Detail>('GET', `/v1/apps${id}`)).body;
      return d.tasks.some((x) => x.state === 'TASK_RUNNING' && x.agentId !== notOn);
    },
    30_000,
    () => JSON.stringify(d),
  );
  return d!;
}

async function moveEnds(ferry: InProcessFerry, moveId: string): Promise<MoveView> {
  let m: MoveView | undefined;
  await waitFor(
    async () => {
      m = (await ferry.call<{ move: MoveView }>('GET', `/v1/moves/${moveId}`)).body.move;
      return m.state !== 'RUNNING';
    },
    60_000,
    () => JSON.stringify(m),
  );
  return m!;
}

function numbers(text: string): number[] {
  return text.split('\n').filter((l) => l !== '').map(Number);
}

t.test('a local dataset moves with its app while it writes, and every acknowledged record arrives in order', async (t) => {
  const ferry = await startInProcessFerry(t, { config: { moveOpRetrySeconds: 5 } });
  const witness = join(ferry.dir, 'witness');
  t.equal((await ferry.call('POST', '/v1/apps', appender('/mover', witness))).status, 201);
  const before = await running(ferry, '/mover');
  const source = before.tasks[0]!.agentId;
  await waitFor(async () => numbers(await readFile(witness, 'utf8').catch(() => '')).length > 20, 10_000, () => 'no records acknowledged');

  const started = await ferry.call<{ moveId: string }>('POST', '/v1/apps/mover/move', { to: 'any' });
  t.equal(started.status, 202, JSON.stringify(started.body));
  const move = await moveEnds(ferry, started.body.moveId);
  t.equal(move.state, 'SUCCEEDED', JSON.stringify(move));
  t.not(move.to, source);
  t.same(move.steps.map((s) => s.step), ['RECEIVER', 'PRECOPY', 'STOP_TASK', 'FINAL_COPY', 'SWITCH', 'LAUNCH', 'CLEANUP', 'DONE']);

  const after = await running(ferry, '/mover', source);
  t.equal(after.tasks.find((x) => x.state === 'TASK_RUNNING')!.agentId, move.to, 'the app runs on the destination');
  t.equal(after.datasets[0]!.agentId, move.to, 'the dataset lives there');
  const records = join(after.datasets[0]!.hostPath, 'records');
  const acked = numbers(await readFile(witness, 'utf8'));
  await waitFor(async () => numbers(await readFile(records, 'utf8')).length > acked.length, 10_000, () => 'the moved app does not write');
  const kept = numbers(await readFile(records, 'utf8'));
  t.same(kept.filter((n, i) => n !== i + 1), [], 'the dataset holds 1, 2, 3, ... with no gap and nothing twice');
  const missing = acked.filter((n) => kept[n - 1] !== n);
  t.same(missing, [], `every one of ${acked.length} acknowledged records is present, in order`);
  t.equal(ferry.sim.state().frameworks[0]!.tasks.filter((x) => x.state === 'TASK_RUNNING' && x.name.startsWith('mover')).length, 1, 'one app task runs');
});

t.test('deleting a placed dataset removes its data from its agent, then its record', async (t) => {
  const { access } = await import('node:fs/promises');
  const ferry = await startInProcessFerry(t, { config: { moveOpRetrySeconds: 5 } });
  t.equal((await ferry.call('POST', '/v1/apps', appender('/gone', join(ferry.dir, 'witness-gone')))).status, 201);
  const d = await running(ferry, '/gone');
  const hostPath = d.datasets[0]!.hostPath;
  await waitFor(async () => access(join(hostPath, 'records')).then(() => true, () => false), 10_000, () => 'nothing written');
  t.match(await ferry.call('DELETE', '/v1/datasets/gone-data'), { status: 409 }, 'refused while its app exists');
  t.equal((await ferry.call('DELETE', '/v1/apps/gone')).status, 200);
  await waitFor(async () => ferry.sim.state().frameworks[0]!.tasks.every((x) => !x.name.startsWith('gone')), 20_000, () => 'the app task survived');
  const deleting = await ferry.call<{ operationId: string; deleting: boolean }>('DELETE', '/v1/datasets/gone-data');
  t.match(deleting, { status: 202, body: { deleting: true } });
  const op = await moveEnds(ferry, deleting.body.operationId);
  t.match(op, { state: 'SUCCEEDED', steps: [{ step: 'DESTROY' }, { step: 'DONE' }] });
  t.match(await ferry.call('GET', '/v1/datasets/gone-data'), { status: 404 });
  await t.rejects(access(hostPath), 'the directory is gone from the agent');
});
