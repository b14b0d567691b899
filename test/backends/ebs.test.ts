import t from 'tap';
import type { Test } from 'tap';
import { EbsControlPlane, type EbsControlPlaneOptions } from '../../src/backends/ebs/ebsControlPlane.js';
import { MIB_PER_GIB } from '../../src/backends/volumeSize.js';
import { agentRef, crashSwitch } from '../support/backendFixtures.js';
import { FakeEc2, type FakeEc2Options } from '../support/fakeEc2.js';
import { backendSuite } from './backendSuite.js';

const INSTANCES = [
  { instanceId: 'i-0aaaaaaaaaaaaaaa1', zone: 'us-east-1a', privateDnsName: 'ip-10-0-0-1.ec2.internal', privateIp: '10.0.0.1', devices: ['/dev/xvda'] },
  { instanceId: 'i-0bbbbbbbbbbbbbbb2', zone: 'us-east-1a', privateDnsName: 'ip-10-0-0-2.ec2.internal', privateIp: '10.0.0.2', devices: ['/dev/xvda', '/dev/sdf'] },
  { instanceId: 'i-0ccccccccccccccc3', zone: 'us-east-1b', privateDnsName: 'ip-10-0-1-3.ec2.internal', privateIp: '10.0.1.3', devices: ['/dev/xvda'] },
];

/** agent A is found by its hostname, agent B by its instance id attribute; C lives in another zone */
const AGENT_A = agentRef('agent-a', { zone: 'us-east-1a' }, 'ip-10-0-0-1.ec2.internal');
const AGENT_B = agentRef('agent-b', { aws_instance_id: 'i-0bbbbbbbbbbbbbbb2' }, 'agent-b.example');
const AGENT_C = agentRef('agent-c', { aws_zone: 'us-east-1b' }, '10.0.1.3');

async function startFake(t: Test, options: FakeEc2Options = {}): Promise<{ fake: FakeEc2; plane: (extra?: Partial<EbsControlPlaneOptions>) => EbsControlPlane }> {
  const fake = new FakeEc2({ instances: INSTANCES, delaysMs: { create: 15, attach: 15, detach: 15, delete: 5 }, ...options });
  const endpoint = await fake.start();
  const planes: EbsControlPlane[] = [];
  t.teardown(async () => {
    for (const p of planes) p.close();
    await fake.stop();
  });
  return {
    fake,
    plane: (extra = {}) => {
      const p = new EbsControlPlane({
        cluster: 'c1',
        region: 'us-east-1',
        endpoint,
        credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' },
        defaultZone: 'us-east-1a',
        retry: { maxAttempts: 6, baseDelayMs: 2, maxDelayMs: 20 },
        wait: { firstPollMs: 3, maxPollMs: 20, deadlineMs: 5_000 },
        ...extra,
      });
      planes.push(p);
      return p;
    },
  };
}

t.test('the generic backend suite, against the fake EC2 endpoint', async (t) => {
  backendSuite(t, async (t) => {
    const { plane } = await startFake(t);
    const crash = crashSwitch();
    return {
      plane: plane({ afterStep: crash.hook }),
      twin: plane(),
      otherCluster: plane({ cluster: 'c2' }),
      agents: [AGENT_A, AGENT_B],
      sizeMiB: 1024,
      rounding: { askMiB: 1000, getsMiB: 1024 },
      tooBigMiB: 16_384 * MIB_PER_GIB + 1,
      crashPoints: [
        { operation: 'create', step: 'create-requested' },
        { operation: 'attach', step: 'agent-tagged' },
        { operation: 'attach', step: 'attach-requested' },
        { operation: 'detach', step: 'detach-requested' },
        { operation: 'forceDetach', step: 'detach-requested' },
        { operation: 'destroy', step: 'delete-requested' },
      ],
      crashAfter: crash.crashAfter,
      completeForcedDetach: async () => undefined,
      unknownId: 'vol-0123456789abcdef0',
    };
  });
});

t.test('throttled calls are retried with backoff until EC2 lets them through', async (t) => {
  const { fake, plane } = await startFake(t, { throttleEveryNth: 3 });
  const ebs = plane();
  const volume = await ebs.create({ dataset: 'kv-data', sizeMiB: 1024 });
  const attached = await ebs.attach(volume.id, AGENT_A);
  await ebs.detach(volume.id, AGENT_A);
  await ebs.destroy(volume.id);
  t.equal(attached.state, 'attached');
  t.ok(fake.throttled >= 3, `EC2 throttled ${fake.throttled} calls and every operation still completed`);
  t.same(await ebs.list(), []);
});

t.test('a throttling burst longer than the retry budget fails with THROTTLED, not a hang', async (t) => {
  const { fake, plane } = await startFake(t);
  const ebs = plane({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
  fake.throttleNext(10);
  await t.rejects(ebs.list(), { code: 'THROTTLED', message: /after 3 attempts.*RequestLimitExceeded/ });
  t.equal(fake.count('DescribeVolumes'), 3);
});

t.test('an agent in another zone is a placement problem, and attach refuses it before asking EC2', async (t) => {
  const { fake, plane } = await startFake(t);
  const ebs = plane();
  const volume = await ebs.create({ dataset: 'kv-data', sizeMiB: 1024, zone: 'us-east-1a' });
  t.equal(volume.zone, 'us-east-1a');
  t.equal(ebs.placementProblem(volume, AGENT_A), undefined);
  t.equal(ebs.placementProblem(volume, AGENT_B), undefined, 'an agent without a zone attribute is not refused on attributes alone');
  t.match(ebs.placementProblem(volume, AGENT_C), /zone us-east-1a.*agent-c.*us-east-1b/);
  await t.rejects(ebs.attach(volume.id, AGENT_C), { code: 'INVALID', message: /availability zone us-east-1a.*us-east-1b/ });
  const unlabelled = agentRef('agent-c2', {}, '10.0.1.3');
  await t.rejects(ebs.attach(volume.id, unlabelled), { code: 'INVALID', message: /us-east-1b/ }, "the instance's zone from EC2 is checked too");
  t.equal(fake.count('AttachVolume'), 0, 'EC2 was never asked to attach across zones');
});

t.test("EC2's own zone mismatch answer is surfaced as INVALID with what to do", async (t) => {
  const { fake, plane } = await startFake(t);
  const ebs = plane();
  const volume = await ebs.create({ dataset: 'kv-data', sizeMiB: 1024 });
  fake.inject('AttachVolume', 'InvalidVolume.ZoneMismatch', `The volume '${volume.id}' is not in the same availability zone as instance 'i-0aaaaaaaaaaaaaaa1'`);
  await t.rejects(ebs.attach(volume.id, AGENT_A), { code: 'INVALID', message: /ZoneMismatch.*place the task in the volume's zone/ });
  t.equal((await ebs.get(volume.id))?.state, 'available');
});

t.test('create, attach and detach wait through the asynchronous EC2 states', async (t) => {
  const { fake, plane } = await startFake(t, { delaysMs: { create: 120, attach: 120, detach: 120, delete: 5 } });
  const ebs = plane();
  const creating = ebs.create({ dataset: 'kv-data', sizeMiB: 1024 });
  await new Promise((resolve) => setTimeout(resolve, 40));
  const seen = await ebs.list();
  t.equal(seen[0]?.state, 'creating', 'a listing during creation shows it creating');
  const volume = await creating;
  t.equal(volume.state, 'available');
  const attaching = ebs.attach(volume.id, AGENT_A);
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.equal((await ebs.get(volume.id))?.state, 'attaching');
  t.equal((await attaching).state, 'attached');
  const detaching = ebs.detach(volume.id, AGENT_A);
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.equal((await ebs.get(volume.id))?.state, 'detaching');
  t.equal((await detaching).state, 'available');
  t.ok(fake.count('DescribeVolumes') > 6, 'states were polled, not assumed');
});

t.test('attach picks a device name not in use on the instance, and copes with losing a name to a race', async (t) => {
  const { fake, plane } = await startFake(t);
  const ebs = plane();
  const first = await ebs.create({ dataset: 'one', sizeMiB: 1024 });
  const second = await ebs.create({ dataset: 'two', sizeMiB: 1024 });
  const third = await ebs.create({ dataset: 'three', sizeMiB: 1024 });
  t.equal((await ebs.attach(first.id, AGENT_B)).device, '/dev/xvdg', '/dev/sdf is the same name as /dev/xvdf, and taken');
  t.equal((await ebs.attach(second.id, AGENT_B)).device, '/dev/xvdh');
  fake.inject('AttachVolume', 'InvalidParameterValue', "Invalid value '/dev/xvdf' for unixDevice. Attachment point /dev/xvdf is already in use");
  const raced = await ebs.attach(third.id, AGENT_A);
  t.equal(raced.device, '/dev/xvdg', 'the name lost to the race is skipped');
  t.equal(fake.count('AttachVolume'), 4);
});

t.test('an instance with every device name taken refuses another volume clearly', async (t) => {
  const taken = 'fghijklmnop'.split('').map((l) => `/dev/xvd${l}`);
  const { fake, plane } = await startFake(t, {
    instances: [{ instanceId: 'i-0ddddddddddddddd4', zone: 'us-east-1a', privateDnsName: 'full.ec2.internal', privateIp: '10.0.0.4', devices: ['/dev/xvda', ...taken] }],
  });
  const ebs = plane();
  const volume = await ebs.create({ dataset: 'kv-data', sizeMiB: 1024 });
  await t.rejects(ebs.attach(volume.id, agentRef('full', {}, 'full.ec2.internal')), { code: 'FAILED', message: /no free device name/ });
  t.equal(fake.count('AttachVolume'), 0);
});

t.test('profiles map to io2 with provisioned IOPS, gp3 and st1; a dataset too small for st1 is refused before EC2 is asked', async (t) => {
  const { fake, plane } = await startFake(t);
  const ebs = plane();
  t.match(ebs.profiles(), { gold: /io2/, silver: /gp3/, bronze: /st1/ });
  const gold = await ebs.create({ dataset: 'gold-data', sizeMiB: 10 * 1024, profile: 'gold' });
  const silver = await ebs.create({ dataset: 'silver-data', sizeMiB: 1024, profile: 'silver' });
  const bronze = await ebs.create({ dataset: 'bronze-data', sizeMiB: 125 * 1024, profile: 'bronze' });
  const types = (id: string) => fake.volumes.get(id);
  t.equal(types(gold.id)?.type, 'io2');
  t.equal(types(gold.id)?.iops, 500, '50 IOPS per GiB');
  t.equal(types(silver.id)?.type, 'gp3');
  t.equal(types(bronze.id)?.type, 'st1');
  t.same([gold.profile, silver.profile, bronze.profile], ['gold', 'silver', 'bronze']);
  const creates = fake.count('CreateVolume');
  await t.rejects(ebs.create({ dataset: 'small-bronze', sizeMiB: 10 * 1024, profile: 'bronze' }), { code: 'INVALID', message: /bronze maps to EBS st1.*at least 125 GiB/ });
  await t.rejects(ebs.create({ dataset: 'small-gold', sizeMiB: 1024, profile: 'gold' }), { code: 'INVALID', message: /io2.*at least 4 GiB/ });
  t.equal(fake.count('CreateVolume'), creates, 'refused without a CreateVolume');
});

t.test('a dataset destroyed and created again gets a new volume despite the remembered idempotency token', async (t) => {
  const { plane } = await startFake(t);
  const ebs = plane();
  const first = await ebs.create({ dataset: 'kv-data', sizeMiB: 1024 });
  await ebs.destroy(first.id);
  const second = await ebs.create({ dataset: 'kv-data', sizeMiB: 1024 });
  t.not(second.id, first.id);
  t.equal(second.state, 'available');
});

t.test('a hung normal detach gives up at its deadline; a forced detach fences the instance off', async (t) => {
  const hung = INSTANCES.map((i) => (i.instanceId === 'i-0aaaaaaaaaaaaaaa1' ? { ...i, hangsOnDetach: true } : i));
  const { plane } = await startFake(t, { instances: hung });
  const ebs = plane({ wait: { firstPollMs: 3, maxPollMs: 10, deadlineMs: 300 } });
  const volume = await ebs.create({ dataset: 'kv-data', sizeMiB: 1024 });
  await ebs.attach(volume.id, AGENT_A);
  await t.rejects(ebs.detach(volume.id, AGENT_A), { code: 'UNAVAILABLE', message: /detaching.*waiting for available/ });
  await t.rejects(ebs.attach(volume.id, AGENT_B), { code: 'ATTACHED_ELSEWHERE' }, 'still not attachable elsewhere');
  const gone = agentRef('agent-a', {}, 'no-longer-resolvable.example');
  const released = await ebs.detach(volume.id, gone, { force: true });
  t.equal(released.state, 'available', 'the agent tags identify the lost agent without asking EC2 about it');
  t.equal((await ebs.attach(volume.id, AGENT_B)).agentId, 'agent-b');
});

t.test('listing pages through every volume of the cluster', async (t) => {
  const { plane } = await startFake(t, { pageSize: 2 });
  const ebs = plane();
  const names = ['a1', 'a2', 'a3', 'a4', 'a5'];
  for (const dataset of names) await ebs.create({ dataset, sizeMiB: 1024 });
  t.same((await ebs.list()).map((v) => v.dataset).sort(), names);
});
