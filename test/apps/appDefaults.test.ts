import t from 'tap';
import { APP_DEFAULTS } from '../../src/apps/appDefinition.js';
import { accepted, appDefinition } from './builders.js';

t.test("a minimal definition gets every one of Marathon's defaults", async (t) => {
  const { spec } = accepted(appDefinition());
  t.strictSame(spec, {
    id: '/counter',
    cmd: 'sleep 1000',
    cpus: 1,
    mem: 128,
    disk: 0,
    instances: 1,
    env: {},
    labels: {},
    constraints: [],
    ports: [{ port: 0, name: 'default', protocol: 'tcp', labels: {} }],
    healthChecks: [],
    fetch: [],
    killSelection: 'YOUNGEST_FIRST',
    backoffSeconds: 1,
    backoffFactor: 1.15,
    maxLaunchDelaySeconds: 300,
    upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
  });
  t.equal(spec.user, undefined);
  t.equal(spec.taskKillGracePeriodSeconds, undefined);
  t.equal(spec.dataset, undefined, 'no volume: a stateless app');
});

t.test('the published defaults are the ones applied', async (t) => {
  const { spec } = accepted(appDefinition());
  for (const [key, value] of Object.entries(APP_DEFAULTS)) t.equal(spec[key as keyof typeof spec], value, key);
});

t.test('given values replace the defaults', async (t) => {
  const { spec } = accepted(
    appDefinition({
      cpus: 0.25,
      mem: 64,
      disk: 10,
      instances: 0,
      user: 'nobody',
      killSelection: 'OLDEST_FIRST',
      taskKillGracePeriodSeconds: 30,
      backoffSeconds: 5,
      backoffFactor: 2,
      maxLaunchDelaySeconds: 3600,
      labels: { team: 'storage' },
      env: { MODE: 'fast' },
    }),
  );
  t.match(spec, {
    cpus: 0.25,
    mem: 64,
    disk: 10,
    instances: 0,
    user: 'nobody',
    killSelection: 'OLDEST_FIRST',
    taskKillGracePeriodSeconds: 30,
    backoffSeconds: 5,
    backoffFactor: 2,
    maxLaunchDelaySeconds: 3600,
    labels: { team: 'storage' },
    env: { MODE: 'fast' },
  });
});

t.test('null means "not given", as in the documents Marathon shows', async (t) => {
  const { spec } = accepted(
    appDefinition({ args: null, user: null, cpus: null, taskKillGracePeriodSeconds: null, container: null, upgradeStrategy: null }),
  );
  t.equal(spec.cpus, 1);
  t.equal(spec.user, undefined);
  t.equal(spec.taskKillGracePeriodSeconds, undefined);
  t.equal(spec.cmd, 'sleep 1000');
});

t.test('args replace cmd as an argv', async (t) => {
  const { spec } = accepted({ id: '/a', args: ['/bin/kv', '--port', '$PORT0'] });
  t.same(spec.args, ['/bin/kv', '--port', '$PORT0']);
  t.equal(spec.cmd, undefined);
});

t.test('an empty args beside cmd is how Marathon shows an unused args, and is accepted', async (t) => {
  const { spec } = accepted(appDefinition({ args: [] }));
  t.equal(spec.cmd, 'sleep 1000');
  t.equal(spec.args, undefined);
});

t.test('the stored definition keeps what the operator wrote, with the id normalized and first', async (t) => {
  const input = { cmd: 'run', id: 'prod/db', instances: 2, labels: { a: 'b' } };
  const { definition } = accepted(input);
  t.same(definition, { id: '/prod/db', cmd: 'run', instances: 2, labels: { a: 'b' } });
  t.same(Object.keys(definition)[0], 'id');
  (definition['labels'] as Record<string, string>)['a'] = 'changed';
  t.equal(input.labels.a, 'b', 'the stored definition is a copy, not the caller\'s object');
});

t.test('a container of type MESOS, or without a type, is accepted', async (t) => {
  t.equal(accepted(appDefinition({ container: { type: 'MESOS' } })).spec.dataset, undefined);
  t.equal(accepted(appDefinition({ container: {} })).spec.dataset, undefined);
  t.equal(accepted(appDefinition({ container: { volumes: [] } })).spec.dataset, undefined);
});
