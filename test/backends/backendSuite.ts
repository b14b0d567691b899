// The one behavioural suite every volume backend's control plane must pass
// (after Flocker's make_iblockdeviceapi_tests): a factory that, given a
// harness maker for a backend, registers the same tests for it. Backend
// test files call it; backend-specific behaviour is tested beside it.

import type { Test } from 'tap';
import { BackendError, type AgentRef, type BackendErrorCode, type BackendVolume, type ControlPlane } from '../../src/backends/backend.js';
import { SimulatedCrash } from '../../src/backends/stepHook.js';

export type CrashOperation = 'create' | 'attach' | 'detach' | 'forceDetach' | 'destroy';

export interface CrashPoint {
  operation: CrashOperation;
  step: string;
}

export interface BackendHarness {
  /** a control plane of cluster "c1" */
  plane: ControlPlane;
  /** a second control plane of cluster "c1" over the same store (another scheduler process) */
  twin: ControlPlane;
  /** a control plane of cluster "c2" over the same store or endpoint */
  otherCluster: ControlPlane;
  /** two agents either may attach to */
  agents: [AgentRef, AgentRef];
  /** a size the backend accepts as is */
  sizeMiB: number;
  /** a size the backend rounds, and what it becomes */
  rounding: { askMiB: number; getsMiB: number };
  /** a size above the backend's limit */
  tooBigMiB: number;
  /** the steps `plane` can be made to crash after */
  crashPoints: CrashPoint[];
  /** makes `plane` throw SimulatedCrash right after `step`, once */
  crashAfter(step: string): void;
  /** completes a forced detach that answered 'detaching' (loopback: the node-plane release) */
  completeForcedDetach(volume: BackendVolume): Promise<void>;
  /** an id of the backend's shape that names no volume */
  unknownId: string;
}

export type HarnessMaker = (t: Test) => Promise<BackendHarness>;

async function refusal(t: Test, promise: Promise<unknown>, code: BackendErrorCode, message?: RegExp): Promise<BackendError | undefined> {
  try {
    await promise;
  } catch (err) {
    t.type(err, BackendError, `a BackendError (${String(err)})`);
    if (err instanceof BackendError) {
      t.equal(err.code, code, err.message);
      if (message !== undefined) t.match(err.message, message);
      return err;
    }
    return undefined;
  }
  t.fail(`expected a ${code} refusal, but the call succeeded`);
  return undefined;
}

/** Detaches with force and completes the release where the backend needs a node to prove it. */
async function forceDetach(h: BackendHarness, id: string, agent: AgentRef): Promise<BackendVolume> {
  const answered = await h.plane.detach(id, agent, { force: true });
  if (answered.state === 'detaching') await h.completeForcedDetach(answered);
  const now = await h.plane.get(id);
  if (now === undefined) throw new Error(`volume ${id} vanished during a forced detach`);
  return now;
}

export function backendSuite(t: Test, makeHarness: HarnessMaker): void {
  t.test('a created volume is listed and described, and is gone after destroy', async (t) => {
    const h = await makeHarness(t);
    const volume = await h.plane.create({ dataset: 'kv-data', sizeMiB: h.sizeMiB, profile: 'silver' });
    t.equal(volume.dataset, 'kv-data');
    t.equal(volume.backend, h.plane.name);
    t.equal(volume.cluster, 'c1');
    t.equal(volume.state, 'available');
    t.equal(volume.agentId, undefined, 'a new volume is attached nowhere');
    t.same((await h.plane.list()).map((v) => v.id), [volume.id]);
    t.same(await h.plane.get(volume.id), volume);
    await h.plane.destroy(volume.id);
    t.equal(await h.plane.get(volume.id), undefined);
    t.same(await h.plane.list(), []);
    await h.plane.destroy(volume.id);
    t.pass('destroying a destroyed volume is not an error');
  });

  t.test('creating the same dataset twice returns the same volume', async (t) => {
    const h = await makeHarness(t);
    const first = await h.plane.create({ dataset: 'kv-data', sizeMiB: h.sizeMiB });
    const second = await h.plane.create({ dataset: 'kv-data', sizeMiB: h.sizeMiB });
    t.equal(second.id, first.id);
    t.equal((await h.plane.list()).length, 1);
    await refusal(t, h.plane.create({ dataset: 'kv-data', sizeMiB: h.sizeMiB * 2 }), 'INVALID', /resizing is not supported/);
  });

  t.test('attaching a volume attached to another agent is refused with ATTACHED_ELSEWHERE', async (t) => {
    const h = await makeHarness(t);
    const [a, b] = h.agents;
    const volume = await h.plane.create({ dataset: 'kv-data', sizeMiB: h.sizeMiB });
    const attached = await h.plane.attach(volume.id, a);
    t.equal(attached.state, 'attached');
    t.equal(attached.agentId, a.agentId);
    t.ok(attached.hostPath?.endsWith('/kv-data'), `a host path on the agent (${attached.hostPath})`);
    await refusal(t, h.plane.attach(volume.id, b), 'ATTACHED_ELSEWHERE', new RegExp(a.agentId));
    t.equal((await h.plane.get(volume.id))?.agentId, a.agentId, 'still attached where it was');
  });

  t.test('attaching again where it is attached changes nothing', async (t) => {
    const h = await makeHarness(t);
    const volume = await h.plane.create({ dataset: 'kv-data', sizeMiB: h.sizeMiB });
    const first = await h.plane.attach(volume.id, h.agents[0]);
    const again = await h.plane.attach(volume.id, h.agents[0]);
    t.same(again, first);
  });

  t.test('after a detach the volume attaches to another agent', async (t) => {
    const h = await makeHarness(t);
    const [a, b] = h.agents;
    const volume = await h.plane.create({ dataset: 'kv-data', sizeMiB: h.sizeMiB });
    await h.plane.attach(volume.id, a);
    const detached = await h.plane.detach(volume.id, a);
    t.equal(detached.state, 'available');
    t.equal(detached.agentId, undefined);
    const moved = await h.plane.attach(volume.id, b);
    t.equal(moved.agentId, b.agentId);
    t.equal((await h.plane.get(volume.id))?.agentId, b.agentId);
  });

  t.test('detaching a detached volume is a no-op; detaching from an agent that does not hold it is refused', async (t) => {
    const h = await makeHarness(t);
    const [a, b] = h.agents;
    const volume = await h.plane.create({ dataset: 'kv-data', sizeMiB: h.sizeMiB });
    t.equal((await h.plane.detach(volume.id, a)).state, 'available');
    await h.plane.attach(volume.id, a);
    await refusal(t, h.plane.detach(volume.id, b), 'ATTACHED_ELSEWHERE');
    await refusal(t, h.plane.detach(volume.id, b, { force: true }), 'ATTACHED_ELSEWHERE');
    t.equal((await h.plane.get(volume.id))?.agentId, a.agentId, 'a wrong detach leaves the attachment alone');
  });

  t.test('a forced detach releases the volume so that another agent can attach it', async (t) => {
    const h = await makeHarness(t);
    const [a, b] = h.agents;
    const volume = await h.plane.create({ dataset: 'kv-data', sizeMiB: h.sizeMiB });
    await h.plane.attach(volume.id, a);
    const answered = await h.plane.detach(volume.id, a, { force: true });
    t.not(answered.state, 'attached');
    if (answered.state === 'detaching') {
      await refusal(t, h.plane.attach(volume.id, b), 'ATTACHED_ELSEWHERE', /release/);
      await h.completeForcedDetach(answered);
    }
    t.equal((await h.plane.get(volume.id))?.state, 'available');
    t.equal((await h.plane.attach(volume.id, b)).agentId, b.agentId);
  });

  t.test('of two concurrent attaches to different agents exactly one wins', async (t) => {
    const h = await makeHarness(t);
    const [a, b] = h.agents;
    const volume = await h.plane.create({ dataset: 'kv-data', sizeMiB: h.sizeMiB });
    const outcomes = await Promise.allSettled([h.plane.attach(volume.id, a), h.twin.attach(volume.id, b)]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    t.equal(won.length, 1, 'one attach succeeded');
    t.equal(lost.length, 1, 'one attach was refused');
    t.equal((lost[0]?.reason as BackendError | undefined)?.code, 'ATTACHED_ELSEWHERE');
    const winner = (won[0] as PromiseFulfilledResult<BackendVolume>).value.agentId;
    t.equal((await h.plane.get(volume.id))?.agentId, winner);
  });

  t.test('a call repeated after a crash between its steps completes it', async (t) => {
    const probe = await makeHarness(t);
    if (probe.crashPoints.length === 0) {
      t.pass(`${probe.plane.name} changes its bookkeeping in one atomic write per call: there is no step to crash between`);
      return;
    }
    for (const point of probe.crashPoints) {
      t.test(`${point.operation} interrupted after ${point.step}`, async (t) => {
        const h = await makeHarness(t);
        const [a] = h.agents;
        const spec = { dataset: 'kv-data', sizeMiB: h.sizeMiB };
        let id = point.operation === 'create' ? undefined : (await h.plane.create(spec)).id;
        if (point.operation === 'detach' || point.operation === 'forceDetach') await h.plane.attach(id!, a);
        const run = async (): Promise<unknown> => {
          switch (point.operation) {
            case 'create':
              return (id = (await h.plane.create(spec)).id);
            case 'attach':
              return h.plane.attach(id!, a);
            case 'detach':
              return h.plane.detach(id!, a);
            case 'forceDetach':
              return forceDetach(h, id!, a);
            case 'destroy':
              return h.plane.destroy(id!);
          }
        };
        h.crashAfter(point.step);
        await t.rejects(run(), SimulatedCrash, 'the first call dies at the step');
        await run();
        const volumes = await h.plane.list();
        switch (point.operation) {
          case 'create':
            t.equal(volumes.length, 1, 'exactly one volume for the dataset');
            t.equal(volumes[0]?.id, id);
            t.equal(volumes[0]?.state, 'available');
            break;
          case 'attach':
            t.equal((await h.plane.get(id!))?.agentId, a.agentId);
            t.equal((await h.plane.get(id!))?.state, 'attached');
            break;
          case 'detach':
          case 'forceDetach':
            t.equal((await h.plane.get(id!))?.state, 'available');
            t.equal((await h.plane.attach(id!, h.agents[1])).agentId, h.agents[1].agentId, 'and it attaches elsewhere');
            break;
          case 'destroy':
            t.equal(await h.plane.get(id!), undefined);
            t.same(volumes, []);
            break;
        }
      });
    }
  });

  t.test('unknown volume ids: get answers undefined, attach and detach NOT_FOUND, destroy succeeds', async (t) => {
    const h = await makeHarness(t);
    t.equal(await h.plane.get(h.unknownId), undefined);
    await refusal(t, h.plane.attach(h.unknownId, h.agents[0]), 'NOT_FOUND');
    await refusal(t, h.plane.detach(h.unknownId, h.agents[0]), 'NOT_FOUND');
    await h.plane.destroy(h.unknownId);
    t.pass('destroying an unknown volume is not an error');
  });

  t.test('sizes that are zero, negative, fractional or too big are refused; others round as documented', async (t) => {
    const h = await makeHarness(t);
    for (const sizeMiB of [0, -5, 1.5, Number.NaN, h.tooBigMiB]) {
      await refusal(t, h.plane.create({ dataset: `size-${String(sizeMiB).replace(/[^0-9a-z]/gi, 'x')}`, sizeMiB }), 'INVALID', /size|MiB|at most/);
    }
    t.same(await h.plane.list(), [], 'nothing was created');
    const rounded = await h.plane.create({ dataset: 'rounded', sizeMiB: h.rounding.askMiB });
    t.equal(rounded.sizeMiB, h.rounding.getsMiB);
  });

  t.test('an unknown profile is refused; gold, silver and bronze are offered', async (t) => {
    const h = await makeHarness(t);
    t.same(Object.keys(h.plane.profiles()).sort(), ['bronze', 'gold', 'silver']);
    await refusal(t, h.plane.create({ dataset: 'kv-data', sizeMiB: h.sizeMiB, profile: 'platinum' }), 'INVALID', /unknown profile "platinum"/);
    t.same(await h.plane.list(), []);
  });

  t.test('destroying an attached volume is refused with IN_USE', async (t) => {
    const h = await makeHarness(t);
    const volume = await h.plane.create({ dataset: 'kv-data', sizeMiB: h.sizeMiB });
    await h.plane.attach(volume.id, h.agents[0]);
    await refusal(t, h.plane.destroy(volume.id), 'IN_USE');
    t.equal((await h.plane.get(volume.id))?.state, 'attached');
  });

  t.test("another cluster's volumes are neither listed nor reachable", async (t) => {
    const h = await makeHarness(t);
    const mine = await h.plane.create({ dataset: 'kv-data', sizeMiB: h.sizeMiB });
    const theirs = await h.otherCluster.create({ dataset: 'kv-data', sizeMiB: h.sizeMiB });
    const onlyTheirs = await h.otherCluster.create({ dataset: 'their-data', sizeMiB: h.sizeMiB });
    t.same((await h.plane.list()).map((v) => v.dataset), ['kv-data'], 'the same dataset name lives in both clusters');
    t.same((await h.otherCluster.list()).map((v) => v.dataset).sort(), ['kv-data', 'their-data']);
    t.equal((await h.plane.list())[0]?.cluster, 'c1');
    t.equal(await h.plane.get(onlyTheirs.id), undefined);
    await refusal(t, h.plane.attach(onlyTheirs.id, h.agents[0]), 'NOT_FOUND');
    await h.plane.destroy(onlyTheirs.id);
    t.ok(await h.otherCluster.get(onlyTheirs.id), "destroy through one cluster leaves another's volume alone");
    await h.plane.attach(mine.id, h.agents[0]);
    t.equal((await h.otherCluster.get(theirs.id))?.state, 'available', "attaching mine leaves theirs of the same name alone");
  });

  t.test('names that could escape a directory are refused', async (t) => {
    const h = await makeHarness(t);
    for (const dataset of ['../etc', 'a/b', '', 'UPPER']) {
      await refusal(t, h.plane.create({ dataset, sizeMiB: h.sizeMiB }), 'INVALID');
    }
    t.same(await h.plane.list(), []);
  });
}
