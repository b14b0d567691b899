import t from 'tap';
import { parseAppDefinition } from '../../src/apps/appDefinition.js';
import { READ_ONLY_APP_FIELDS, UNSUPPORTED_APP_FIELDS } from '../../src/apps/unsupportedFields.js';
import { accepted, appDefinition, onlyError, refused } from './builders.js';

t.test('input that is not an object is refused, never thrown', async (t) => {
  for (const input of [null, undefined, 'app', 42, [], true]) {
    const result = parseAppDefinition(input);
    t.equal(result.ok, false);
    if (!result.ok) t.match(result.errors, [{ field: '', message: /an app definition is a JSON object/ }]);
  }
});

t.test('an unknown field is refused by name, never dropped', async (t) => {
  t.strictSame(onlyError(appDefinition({ instnaces: 2 })), {
    field: 'instnaces',
    message: '"instnaces" is not a field of a Marathon app that Ferry knows; check its spelling',
  });
  t.match(onlyError(appDefinition({ container: { volumes: [{ containerPath: 'd', persistent: { size: 1, sise: 2 } }] } })), {
    field: 'container.volumes[0].persistent.sise',
    message: /not a field of container\.volumes\[\]\.persistent that Ferry knows/,
  });
  t.match(onlyError(appDefinition({ healthChecks: [{ protocol: 'TCP', portIndx: 0 }] })), { field: 'healthChecks[0].portIndx' });
});

t.test('wrong types and ranges name the field, the rule and the value given', async (t) => {
  t.strictSame(onlyError(appDefinition({ cpus: 'two' })), { field: 'cpus', message: 'must be a number; got the string "two"' });
  t.strictSame(onlyError(appDefinition({ instances: 1.5 })), { field: 'instances', message: 'must be an integer; got the number 1.5' });
  t.strictSame(onlyError(appDefinition({ instances: -1 })), { field: 'instances', message: 'must be at least 0; got the number -1' });
  t.strictSame(onlyError(appDefinition({ cpus: 0 })), { field: 'cpus', message: 'must be at least 0.001; got the number 0' });
  t.strictSame(onlyError(appDefinition({ backoffFactor: 0.5 })), { field: 'backoffFactor', message: 'must be at least 1; got the number 0.5' });
  t.strictSame(onlyError(appDefinition({ killSelection: 'RANDOM' })), {
    field: 'killSelection',
    message: 'must be one of "YOUNGEST_FIRST", "OLDEST_FIRST"; got the string "RANDOM"',
  });
  t.strictSame(onlyError(appDefinition({ labels: { team: 7 } })), { field: 'labels.team', message: 'must be a string; got the number 7' });
  t.strictSame(onlyError(appDefinition({ args: 'ls' , cmd: null })), { field: 'args', message: 'must be an array; got the string "ls"' });
  t.strictSame(onlyError(appDefinition({ requirePorts: 'yes' })), { field: 'requirePorts', message: 'must be true or false; got the string "yes"' });
  t.strictSame(onlyError(appDefinition({ ports: [70000] })), { field: 'ports[0]', message: 'must be at most 65535; got the number 70000' });
  t.strictSame(onlyError(appDefinition({ fetch: [{}] })), { field: 'fetch[0].uri', message: 'is required' });
  t.strictSame(onlyError(appDefinition({ upgradeStrategy: { minimumHealthCapacity: 2 } })), {
    field: 'upgradeStrategy.minimumHealthCapacity',
    message: 'must be at most 1; got the number 2',
  });
});

t.test('every shape error is reported at once', async (t) => {
  const errors = refused(appDefinition({ cpus: 'x', mem: 'y', gpus: 1 }));
  t.same(errors.map((e) => e.field).sort(), ['cpus', 'gpus', 'mem']);
});

t.test('an id is required, unless the URL names the app', async (t) => {
  t.strictSame(onlyError({ cmd: 'x' }), { field: 'id', message: 'is required: the app\'s id, e.g. "/prod/db"' });
  t.equal(accepted({ cmd: 'x' }, { idFromUrl: 'prod/db' }).spec.id, '/prod/db');
  t.equal(accepted({ id: 'db', cmd: 'x' }, { idFromUrl: '/db' }).spec.id, '/db');
  t.strictSame(onlyError({ id: '/other', cmd: 'x' }, { idFromUrl: '/prod/db' }), {
    field: 'id',
    message: '"/other" does not match the app the URL names, "/prod/db"',
  });
  t.match(onlyError({ cmd: 'x' }, { idFromUrl: '/Prod' }), { field: 'id', message: /use lowercase/ });
});

t.test('an invalid id is refused with the rule it breaks', async (t) => {
  t.match(onlyError(appDefinition({ id: '/prod/../db' })), { field: 'id', message: /"\.\." segments are not allowed/ });
  t.match(onlyError(appDefinition({ id: '/' })), { field: 'id', message: /names no app/ });
});

t.test('an app id ending in a reserved word is refused at creation, since its URL would be ambiguous', async (t) => {
  for (const last of ['move', 'restart', 'scale', 'tasks', 'versions']) {
    t.match(onlyError(appDefinition({ id: `/prod/${last}` })), {
      field: 'id',
      message: new RegExp(`"/prod/${last}" ends in "${last}", which is reserved: URLs such as /v1/apps/prod/${last} would be ambiguous`),
    });
  }
  t.equal(accepted(appDefinition({ id: '/scale/db' })).spec.id, '/scale/db', 'only the last segment is reserved');
});

t.test('exactly one of cmd and args', async (t) => {
  t.strictSame(onlyError({ id: '/a' }), {
    field: 'cmd',
    message: 'an app needs cmd (a shell command) or args (the program and its arguments); Ferry runs no container images',
  });
  t.strictSame(onlyError({ id: '/a', cmd: 'x', args: ['y'] }), { field: 'args', message: 'give cmd or args, not both' });
  t.strictSame(onlyError({ id: '/a', args: [] }), { field: 'args', message: 'must not be empty: give the program and its arguments' });
  t.strictSame(onlyError({ id: '/a', cmd: '  ' }), { field: 'cmd', message: 'must not be empty' });
});

t.test('a blank user is refused', async (t) => {
  t.match(onlyError(appDefinition({ user: '' })), { field: 'user', message: /must not be empty/ });
});

t.test('Docker is refused: Ferry has no Docker support', async (t) => {
  t.strictSame(onlyError(appDefinition({ container: { type: 'DOCKER' } })), {
    field: 'container.type',
    message: 'Ferry does not support Docker (no images, no Docker containerizer): use "MESOS" or omit container.type, and give cmd or args',
  });
  t.match(onlyError(appDefinition({ container: { type: 'MESOS', docker: { image: 'redis' } } })), {
    field: 'container.docker',
    message: /Ferry does not support Docker/,
  });
  t.match(onlyError(appDefinition({ container: { portMappings: [{ containerPort: 80 }] } })), {
    field: 'container.portMappings',
    message: /host networking/,
  });
  t.match(onlyError(appDefinition({ container: { linuxInfo: { seccomp: {} } } })), { field: 'container.linuxInfo' });
  t.equal(accepted(appDefinition({ container: { docker: null, portMappings: [] } })).spec.id, '/counter');
});

t.test('Marathon fields Ferry does not support are refused, saying so', async (t) => {
  const asked: Record<string, unknown> = {
    acceptedResourceRoles: ['slave_public'],
    check: { exec: { command: { shell: 'true' } } },
    dependencies: ['/db'],
    executor: '/opt/my-executor',
    executorResources: { cpus: 1 },
    gpus: 1,
    ipAddress: { networkName: 'dcos' },
    networks: [{ mode: 'container', name: 'dcos' }],
    readinessChecks: [{ name: 'ready' }],
    residency: { taskLostBehavior: 'WAIT_FOREVER' },
    resourceLimits: { cpus: 'unlimited' },
    role: 'prod',
    secrets: { s: { source: 'db-password' } },
    storeUrls: ['http://x'],
    tty: true,
    unreachableStrategy: { inactiveAfterSeconds: 0 },
  };
  t.same(Object.keys(asked).sort(), Object.keys(UNSUPPORTED_APP_FIELDS).sort(), 'every unsupported field is exercised');
  for (const [field, value] of Object.entries(asked)) {
    const error = onlyError(appDefinition({ [field]: value }));
    t.equal(error.field, field);
    t.match(error.message, /Ferry (does not support|supports host networking only)/, field);
  }
});

t.test('unsupported fields with the value meaning "unused" are accepted, as Marathon shows them', async (t) => {
  const { spec } = accepted(
    appDefinition({
      acceptedResourceRoles: ['*'],
      check: null,
      dependencies: [],
      executor: '',
      gpus: 0,
      ipAddress: null,
      networks: [{ mode: 'host' }],
      readinessChecks: [],
      residency: null,
      role: '*',
      secrets: {},
      storeUrls: [],
      tty: false,
      unreachableStrategy: null,
    }),
  );
  t.equal(spec.id, '/counter');
  t.ok(accepted(appDefinition({ executor: '//cmd', networks: [] })));
});

t.test("Marathon's read-only fields are accepted and dropped from the stored definition", async (t) => {
  const shown: Record<string, unknown> = {
    version: '2024-01-01T00:00:00.000Z',
    versionInfo: { lastScalingAt: '2024-01-01T00:00:00.000Z' },
    tasksRunning: 1,
    tasksStaged: 0,
    tasksHealthy: 1,
    tasksUnhealthy: 0,
    deployments: [],
    tasks: [{ id: 'x' }],
    lastTaskFailure: { message: 'boom' },
    readinessCheckResults: [],
    tasksStats: {},
  };
  t.same(Object.keys(shown).sort(), [...READ_ONLY_APP_FIELDS].sort(), 'every read-only field is exercised');
  const { definition } = accepted(appDefinition(shown));
  t.strictSame(definition, { id: '/counter', cmd: 'sleep 1000' });
});

t.test('a Marathon secret in env is refused', async (t) => {
  t.strictSame(onlyError(appDefinition({ env: { PASSWORD: { secret: 'db-password' } } })), {
    field: 'env.PASSWORD',
    message: 'Ferry does not support Marathon secrets: give the value as a string',
  });
  t.strictSame(onlyError(appDefinition({ env: { N: 3 } })), { field: 'env.N', message: 'environment values must be strings; got the number 3' });
  t.match(onlyError(appDefinition({ env: { 'A=B': 'x' } })), { field: 'env["A=B"]', message: /cannot name an environment variable/ });
  t.match(onlyError(appDefinition({ env: { '': 'x' } })), { field: 'env[""]' });
});

t.test('a "__proto__" key is refused wherever it appears, never silently dropped', async (t) => {
  t.strictSame(onlyError(JSON.parse('{"id":"/a","cmd":"x","labels":{"__proto__":"y"}}')), {
    field: 'labels.__proto__',
    message: '"__proto__" cannot be used as a name here',
  });
  t.match(
    onlyError(
      JSON.parse('{"id":"/a","cmd":"x","container":{"volumes":[{"containerPath":"d","external":{"name":"n","size":1,"provider":"ferry","options":{"__proto__":"q"}}}]}}'),
    ),
    { field: 'container.volumes[0].external.options.__proto__' },
  );
  t.match(refused(JSON.parse('{"id":"/a","cmd":"x","env":{"__proto__":"z"},"constraints":[{"__proto__":1}]}')), [
    { field: 'env.__proto__' },
    { field: 'constraints[0].__proto__' },
  ]);
});
