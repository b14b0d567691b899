import t from 'tap';
import { accepted, appDefinition, onlyError, refused } from './builders.js';

const withChecks = (healthChecks: unknown[], extra: Record<string, unknown> = {}) => appDefinition({ healthChecks, ...extra });

t.test("a health check gets Marathon's defaults: HTTP on port index 0, path /", async (t) => {
  t.strictSame(accepted(withChecks([{}])).spec.healthChecks, [
    {
      protocol: 'HTTP',
      gracePeriodSeconds: 300,
      intervalSeconds: 60,
      timeoutSeconds: 20,
      maxConsecutiveFailures: 3,
      delaySeconds: 15,
      path: '/',
      portIndex: 0,
    },
  ]);
});

t.test('every protocol Marathon knows is accepted', async (t) => {
  const { spec } = accepted(
    withChecks(
      [
        { protocol: 'HTTP', path: '/health' },
        { protocol: 'HTTPS', portIndex: 1 },
        { protocol: 'TCP', port: 9000 },
        { protocol: 'MESOS_HTTPS', path: '/ok', portIndex: 1 },
      ],
      { ports: [0, 0] },
    ),
  );
  t.match(spec.healthChecks, [
    { protocol: 'HTTP', path: '/health', portIndex: 0 },
    { protocol: 'HTTPS', path: '/', portIndex: 1 },
    { protocol: 'TCP', port: 9000 },
    { protocol: 'MESOS_HTTPS', path: '/ok', portIndex: 1 },
  ]);
  t.equal(spec.healthChecks[2]?.path, undefined, 'TCP has no path');
  t.equal(spec.healthChecks[2]?.portIndex, undefined, 'an explicit port replaces the port index');
  t.match(accepted(withChecks([{ protocol: 'MESOS_HTTP' }])).spec.healthChecks, [{ protocol: 'MESOS_HTTP', path: '/', portIndex: 0 }]);
  t.match(accepted(withChecks([{ protocol: 'MESOS_TCP' }])).spec.healthChecks, [{ protocol: 'MESOS_TCP', portIndex: 0 }]);
});

t.test('given timings replace the defaults', async (t) => {
  const { spec } = accepted(
    withChecks([{ protocol: 'TCP', gracePeriodSeconds: 5, intervalSeconds: 2, timeoutSeconds: 1, maxConsecutiveFailures: 0, delaySeconds: 0 }]),
  );
  t.match(spec.healthChecks, [{ gracePeriodSeconds: 5, intervalSeconds: 2, timeoutSeconds: 1, maxConsecutiveFailures: 0, delaySeconds: 0 }]);
});

t.test('a COMMAND check runs command.value and needs it', async (t) => {
  t.strictSame(accepted(withChecks([{ protocol: 'COMMAND', command: { value: 'curl -f localhost:$PORT0' } }])).spec.healthChecks, [
    {
      protocol: 'COMMAND',
      gracePeriodSeconds: 300,
      intervalSeconds: 60,
      timeoutSeconds: 20,
      maxConsecutiveFailures: 3,
      delaySeconds: 15,
      command: 'curl -f localhost:$PORT0',
    },
  ]);
  t.strictSame(onlyError(withChecks([{ protocol: 'COMMAND' }])), {
    field: 'healthChecks[0].command',
    message: 'a COMMAND health check needs command.value, the shell command to run',
  });
  t.match(onlyError(withChecks([{ protocol: 'COMMAND', command: { value: ' ' } }])), { field: 'healthChecks[0].command' });
  t.match(onlyError(withChecks([{ protocol: 'COMMAND', command: { value: 'true' }, portIndex: 0 }])), {
    field: 'healthChecks[0].portIndex',
    message: 'portIndex does not apply to a COMMAND health check; remove it',
  });
});

t.test('a command on another protocol is refused, as Marathon does', async (t) => {
  t.strictSame(onlyError(withChecks([{ command: { value: 'true' } }])), {
    field: 'healthChecks[0].command',
    message: 'command applies to COMMAND health checks only, and this one is HTTP',
  });
});

t.test('portIndex must refer to an existing port', async (t) => {
  t.strictSame(onlyError(withChecks([{ protocol: 'TCP', portIndex: 1 }])), {
    field: 'healthChecks[0].portIndex',
    message: 'portIndex 1 refers to no port: the app declares 1 port (indexes 0-0)',
  });
  t.strictSame(onlyError(withChecks([{ protocol: 'HTTP' }], { portDefinitions: [] })), {
    field: 'healthChecks[0].portIndex',
    message: 'portIndex 0 refers to no port: the app declares no ports',
  });
  t.match(onlyError(withChecks([{ portIndex: 3 }], { ports: [0, 0] })).message, /declares 2 ports \(indexes 0-1\)/);
  t.ok(accepted(withChecks([{ protocol: 'TCP', port: 8080 }], { portDefinitions: [] })), 'an explicit port needs no declared port');
});

t.test('port and portIndex are exclusive, and port 0 probes nothing', async (t) => {
  t.match(onlyError(withChecks([{ port: 80, portIndex: 0 }])), { field: 'healthChecks[0].port', message: 'give port or portIndex, not both' });
  t.match(onlyError(withChecks([{ port: 0 }])), { field: 'healthChecks[0].port', message: /from 1 to 65535/ });
});

t.test('paths apply to HTTP checks and start with /', async (t) => {
  t.match(onlyError(withChecks([{ protocol: 'TCP', path: '/x' }])), {
    field: 'healthChecks[0].path',
    message: 'path applies to HTTP health checks only, and this one is TCP',
  });
  t.match(onlyError(withChecks([{ path: 'health' }])), { field: 'healthChecks[0].path', message: 'must start with "/"; got "health"' });
});

t.test('a zero interval or timeout is refused', async (t) => {
  t.match(onlyError(withChecks([{ intervalSeconds: 0 }])), { field: 'healthChecks[0].intervalSeconds', message: /at least 1 second/ });
  t.match(onlyError(withChecks([{ timeoutSeconds: 0 }])), { field: 'healthChecks[0].timeoutSeconds', message: /at least 1 second/ });
});

t.test('an app has at most one check that Mesos runs', async (t) => {
  t.match(onlyError(withChecks([{ protocol: 'MESOS_TCP' }, { protocol: 'COMMAND', command: { value: 'true' } }])), {
    field: 'healthChecks[1]',
    message: /at most one health check that Mesos runs .*healthChecks\[0\] is one already/,
  });
  t.ok(accepted(withChecks([{ protocol: 'MESOS_TCP' }, { protocol: 'HTTP' }, { protocol: 'TCP' }])), 'Marathon-run checks are not limited');
});

t.test('IPv6 probes and ignoreHttp1xx are refused; their defaults are accepted', async (t) => {
  t.match(onlyError(withChecks([{ ipProtocol: 'IPv6' }])), { field: 'healthChecks[0].ipProtocol', message: /IPv4 only/ });
  t.match(onlyError(withChecks([{ ignoreHttp1xx: true }])), { field: 'healthChecks[0].ignoreHttp1xx' });
  t.ok(accepted(withChecks([{ ipProtocol: 'IPv4', ignoreHttp1xx: false }])));
});

t.test('an unknown protocol is refused with the known ones', async (t) => {
  t.match(refused(withChecks([{ protocol: 'GRPC' }])), [{ field: 'healthChecks[0].protocol', message: /must be one of "COMMAND", "HTTP"/ }]);
});
