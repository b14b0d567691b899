import t from 'tap';
import { datasetNameFor } from '../../src/apps/appSpec.js';
import { accepted, externalVolume, onlyError, persistentVolume, refused, withVolumes } from './builders.js';

t.test('an external Ferry volume becomes the dataset, its size in GiB turned into MiB', async (t) => {
  const { spec } = accepted(
    withVolumes([externalVolume({ name: 'kv-data', size: 1, options: { 'ferry/backend': 'local', 'ferry/profile': 'gold' } })]),
  );
  t.strictSame(spec.dataset, {
    name: 'kv-data',
    containerPath: 'data',
    mode: 'RW',
    sizeMiB: 1024,
    backend: 'local',
    options: {},
    source: 'external',
    profile: 'gold',
  });
  t.equal(accepted(withVolumes([externalVolume({ size: 20 })])).spec.dataset?.sizeMiB, 20 * 1024);
});

t.test('an external volume without a backend option uses the default backend', async (t) => {
  t.equal(accepted(withVolumes([externalVolume()])).spec.dataset?.backend, 'local');
  t.equal(accepted(withVolumes([externalVolume()]), { defaultBackend: 'ebs' }).spec.dataset?.backend, 'ebs');
  t.equal(accepted(withVolumes([externalVolume({ options: { 'ferry/backend': 'loopback' } })]), { defaultBackend: 'ebs' }).spec.dataset?.backend, 'loopback');
});

t.test('other ferry/ options are kept for the backend, without their prefix', async (t) => {
  const { spec } = accepted(withVolumes([externalVolume({ options: { 'ferry/fsType': 'ext4', 'ferry/iops': '3000' } })]));
  t.strictSame(spec.dataset?.options, { fsType: 'ext4', iops: '3000' });
  t.equal(spec.dataset?.profile, undefined, 'no profile unless one is given');
});

t.test('an external volume may be read-only, and mode defaults to RW', async (t) => {
  t.equal(accepted(withVolumes([externalVolume({}, { mode: 'RO' })])).spec.dataset?.mode, 'RO');
  t.equal(accepted(withVolumes([externalVolume({}, { mode: undefined })])).spec.dataset?.mode, 'RW');
});

t.test('a local persistent volume maps to the local backend with a name derived from the app id and path', async (t) => {
  const { spec } = accepted(withVolumes([persistentVolume({ size: 512 })], { id: '/prod/db' }));
  t.strictSame(spec.dataset, {
    name: 'prod-db-data',
    containerPath: 'data',
    mode: 'RW',
    sizeMiB: 512,
    backend: 'local',
    options: {},
    source: 'persistent',
  });
  t.equal(accepted(withVolumes([persistentVolume({ type: 'root' })])).spec.dataset?.name, 'counter-data');
  t.equal(
    accepted(withVolumes([persistentVolume({}, { containerPath: 'My Data!' })], { id: 'kv' })).spec.dataset?.name,
    'kv-my-data',
    'the container path is made safe',
  );
  t.equal(accepted(withVolumes([persistentVolume()]), { defaultBackend: 'ebs' }).spec.dataset?.backend, 'local');
});

t.test('each instance uses its own dataset, named after the claim', async (t) => {
  const claim = accepted(withVolumes([externalVolume({ name: 'kv' })], { instances: 3 })).spec.dataset;
  t.ok(claim);
  if (claim === undefined) return;
  t.same([0, 1, 2].map((i) => datasetNameFor(claim, i)), ['kv', 'kv-1', 'kv-2']);
  const persistent = accepted(withVolumes([persistentVolume()], { id: '/prod/db', instances: 2 })).spec.dataset;
  t.same(persistent && [0, 1].map((i) => datasetNameFor(persistent, i)), ['prod-db-data', 'prod-db-data-1']);
});

t.test('dataset names that could escape a directory, or break the rules, are refused', async (t) => {
  for (const name of ['..', '.', 'a/b', '../etc', 'Data', '-data', '_data', 'a b', 'x'.repeat(64)]) {
    t.match(onlyError(withVolumes([externalVolume({ name })])), { field: 'container.volumes[0].external.name' }, name);
  }
  t.match(onlyError(withVolumes([externalVolume({ name: '..' })])).message, /would escape the dataset directory/);
  t.match(onlyError(withVolumes([externalVolume({ name: 'x'.repeat(64) })])).message, /64 characters long; dataset names are at most 63/);
  t.match(onlyError(withVolumes([externalVolume({ name: '' })])).message, /must not be empty/);
  t.ok(accepted(withVolumes([externalVolume({ name: 'a'.repeat(63) })])));
  t.ok(accepted(withVolumes([externalVolume({ name: 'db_1.v2-x' })])));
});

t.test("the last instance's dataset name must be valid too", async (t) => {
  t.strictSame(onlyError(withVolumes([externalVolume({ name: 'a'.repeat(62) })], { instances: 2 })), {
    field: 'container.volumes[0].external.name',
    message: `instance 1 would use the dataset "${'a'.repeat(62)}-1", which is not valid: "${'a'.repeat(62)}-1" is 64 characters long; dataset names are at most 63`,
  });
  t.match(onlyError(withVolumes([persistentVolume({}, { containerPath: 'd'.repeat(50) })], { id: '/' + 'p'.repeat(10), instances: 12 })), {
    field: 'container.volumes[0].containerPath',
    message: /instance 11 would use the dataset/,
  });
});

t.test('a derived name too long for a dataset is refused, pointing to an external volume', async (t) => {
  t.match(onlyError(withVolumes([persistentVolume({}, { containerPath: 'x'.repeat(60) })], { id: '/prod/db' })), {
    field: 'container.volumes[0].containerPath',
    message: /derived from the app id and containerPath is not valid: .*use an external volume with provider "ferry"/,
  });
});

t.test('external volume sizes are whole GiB and required', async (t) => {
  t.strictSame(onlyError(withVolumes([externalVolume({ size: undefined })])), {
    field: 'container.volumes[0].external.size',
    message: 'is required: the size of the dataset in GiB (as in Marathon), e.g. 1',
  });
  for (const size of [0, -1, 1.5]) {
    t.match(onlyError(withVolumes([externalVolume({ size })])), {
      field: 'container.volumes[0].external.size',
      message: /must be a whole number of GiB, at least 1/,
    });
  }
});

t.test('persistent volume sizes are whole MiB and required', async (t) => {
  t.match(onlyError(withVolumes([{ containerPath: 'data', persistent: {} }])), {
    field: 'container.volumes[0].persistent.size',
    message: /is required: the size of the volume in MiB/,
  });
  t.match(onlyError(withVolumes([persistentVolume({ size: 0.5 })])), { field: 'container.volumes[0].persistent.size', message: /whole number of MiB/ });
});

t.test('profiles are gold, silver or bronze; an unknown one is refused at submission', async (t) => {
  for (const profile of ['gold', 'silver', 'bronze']) {
    t.equal(accepted(withVolumes([externalVolume({ options: { 'ferry/profile': profile } })])).spec.dataset?.profile, profile);
  }
  t.strictSame(onlyError(withVolumes([externalVolume({ options: { 'ferry/profile': 'platinum' } })])), {
    field: 'container.volumes[0].external.options["ferry/profile"]',
    message: 'unknown profile "platinum": use one of gold, silver, bronze',
  });
});

t.test('an unknown backend is refused with the known ones', async (t) => {
  t.strictSame(onlyError(withVolumes([externalVolume({ options: { 'ferry/backend': 'zfs' } })])), {
    field: 'container.volumes[0].external.options["ferry/backend"]',
    message: 'unknown backend "zfs": use one of local, loopback, ebs',
  });
});

t.test('options outside the ferry/ namespace, or badly named, are refused', async (t) => {
  t.match(onlyError(withVolumes([externalVolume({ options: { 'dvdi/driver': 'rexray' } })])), {
    field: 'container.volumes[0].external.options["dvdi/driver"]',
    message: /"dvdi\/driver" is not a Ferry option: Ferry volumes take only ferry\/\.\.\. options/,
  });
  t.match(onlyError(withVolumes([externalVolume({ options: { 'ferry/': 'x' } })])), { message: /is not a valid option name/ });
  t.match(onlyError(withVolumes([externalVolume({ options: { 'ferry/a b': 'x' } })])), { message: /is not a valid option name/ });
});

t.test('providers other than ferry are refused, and the provider is required', async (t) => {
  t.strictSame(onlyError(withVolumes([externalVolume({ provider: 'dvdi' })])), {
    field: 'container.volumes[0].external.provider',
    message: 'Ferry manages only its own volumes (provider "ferry"); provider "dvdi" is not supported',
  });
  t.match(onlyError(withVolumes([externalVolume({ provider: undefined })])), {
    field: 'container.volumes[0].external.provider',
    message: /is required/,
  });
  t.match(onlyError(withVolumes([externalVolume({ name: undefined })])), { field: 'container.volumes[0].external.name', message: /is required/ });
});

t.test('a shared external volume is refused: a dataset has one live task', async (t) => {
  t.match(onlyError(withVolumes([externalVolume({ shared: true })])), {
    field: 'container.volumes[0].external.shared',
    message: /never shared/,
  });
  t.ok(accepted(withVolumes([externalVolume({ shared: false })])));
});

t.test('persistent volume features Ferry lacks are refused, naming them', async (t) => {
  t.match(onlyError(withVolumes([persistentVolume({ type: 'mount' })])), {
    field: 'container.volumes[0].persistent.type',
    message: /type "root"\); Mesos mount disks are not supported/,
  });
  t.match(onlyError(withVolumes([persistentVolume({ maxSize: 1024 })])), { field: 'container.volumes[0].persistent.maxSize' });
  t.match(onlyError(withVolumes([persistentVolume({ profileName: 'fast' })])), {
    field: 'container.volumes[0].persistent.profileName',
    message: /"ferry\/profile"/,
  });
  t.match(onlyError(withVolumes([persistentVolume({ constraints: [['path', 'LIKE', 'x']] })])), {
    field: 'container.volumes[0].persistent.constraints',
  });
  t.ok(accepted(withVolumes([persistentVolume({ maxSize: null, profileName: null, constraints: [] })])));
  t.match(onlyError(withVolumes([persistentVolume({}, { mode: 'RO' })])), { field: 'container.volumes[0].mode', message: /read-write/ });
  t.match(onlyError(withVolumes([persistentVolume({}, { containerPath: 'a/b' })])), {
    field: 'container.volumes[0].containerPath',
    message: /one directory name without '\/'/,
  });
});

t.test('at most one Ferry volume per app: a second is refused, naming it', async (t) => {
  t.strictSame(onlyError(withVolumes([externalVolume(), persistentVolume({}, { containerPath: 'logs' })])), {
    field: 'container.volumes[1]',
    message:
      'a second Ferry volume (containerPath "logs"): an app has at most one dataset (each instance gets its own), ' +
      'and container.volumes[0] already declares it',
  });
  t.match(refused(withVolumes([externalVolume(), externalVolume({ name: 'b' }, { containerPath: 'b' })])), [{ field: 'container.volumes[1]' }]);
});

t.test('containerPath is relative, non-empty and stays inside the sandbox', async (t) => {
  const cases: [string | undefined, RegExp][] = [
    [undefined, /is required/],
    ['', /must not be empty/],
    ['/data', /must be relative to the task's sandbox, e\.g\. "data"; got "\/data"/],
    ['../data', /must not contain "\." or "\.\." segments/],
    ['a/../../b', /must not contain "\." or "\.\." segments/],
    ['.', /must not contain/],
    ['a//b', /has an empty segment/],
    ['a\nb', /control characters/],
  ];
  for (const [containerPath, message] of cases) {
    t.match(onlyError(withVolumes([externalVolume({}, { containerPath })])), { field: 'container.volumes[0].containerPath', message }, String(containerPath));
  }
  t.equal(accepted(withVolumes([externalVolume({}, { containerPath: 'var/lib/kv' })])).spec.dataset?.containerPath, 'var/lib/kv');
});

t.test('host-path and secret volumes are refused with the reason', async (t) => {
  t.match(onlyError(withVolumes([{ containerPath: 'data', hostPath: '/srv/data', mode: 'RW' }])), {
    field: 'container.volumes[0].hostPath',
    message: /Ferry does not support host-path volumes: a host path ties the task to one agent's directory/,
  });
  t.match(onlyError(withVolumes([{ containerPath: 'pw', secret: 'db-password' }])), {
    field: 'container.volumes[0].secret',
    message: /Ferry does not support secret volumes/,
  });
});

t.test('a volume of no kind or of two kinds is refused', async (t) => {
  t.match(onlyError(withVolumes([{ containerPath: 'data' }])), {
    field: 'container.volumes[0]',
    message: /needs external \(a Ferry dataset, provider "ferry"\) or persistent/,
  });
  t.match(onlyError(withVolumes([{ containerPath: 'data', persistent: { size: 1 }, external: { name: 'a', size: 1, provider: 'ferry' } }])), {
    field: 'container.volumes[0]',
    message: 'a volume is of one kind only; this one has external and persistent',
  });
});

t.test('an app without a Ferry volume is stateless', async (t) => {
  t.equal(accepted(withVolumes([])).spec.dataset, undefined);
});
