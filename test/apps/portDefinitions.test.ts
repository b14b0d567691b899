import t from 'tap';
import { accepted, appDefinition, onlyError, refused } from './builders.js';

t.test('without ports, an app gets one dynamic port named "default", as in Marathon', async (t) => {
  t.strictSame(accepted(appDefinition()).spec.ports, [{ port: 0, name: 'default', protocol: 'tcp', labels: {} }]);
});

t.test('an empty portDefinitions means no ports', async (t) => {
  t.strictSame(accepted(appDefinition({ portDefinitions: [] })).spec.ports, []);
  t.strictSame(accepted(appDefinition({ ports: [] })).spec.ports, []);
});

t.test('port definitions keep name, protocol and labels, with tcp and no labels by default', async (t) => {
  const { spec } = accepted(
    appDefinition({
      portDefinitions: [{ port: 0, name: 'http', labels: { VIP_0: '/kv:80' } }, { protocol: 'udp,tcp' }, { port: 0, protocol: 'udp' }],
    }),
  );
  t.strictSame(spec.ports, [
    { port: 0, protocol: 'tcp', labels: { VIP_0: '/kv:80' }, name: 'http' },
    { port: 0, protocol: 'udp,tcp', labels: {} },
    { port: 0, protocol: 'udp', labels: {} },
  ]);
});

t.test('legacy ports become tcp port definitions', async (t) => {
  t.strictSame(accepted(appDefinition({ ports: [0, 0] })).spec.ports, [
    { port: 0, protocol: 'tcp', labels: {} },
    { port: 0, protocol: 'tcp', labels: {} },
  ]);
});

t.test('ports and portDefinitions together are accepted only when they agree, as Marathon shows them', async (t) => {
  t.equal(accepted(appDefinition({ ports: [0], portDefinitions: [{ port: 0, name: 'http' }] })).spec.ports[0]?.name, 'http');
  t.strictSame(onlyError(appDefinition({ ports: [0, 0], portDefinitions: [{ port: 0 }] })), {
    field: 'ports',
    message: 'give portDefinitions or the legacy ports, not both: here they differ',
  });
});

t.test('a fixed port must be required: Ferry allocates no service ports', async (t) => {
  t.strictSame(onlyError(appDefinition({ portDefinitions: [{ port: 8080 }] })), {
    field: 'portDefinitions[0].port',
    message:
      'port 8080 would be a Marathon service port, which Ferry does not allocate: set "requirePorts": true to ask for host port 8080, or use 0 for any free port',
  });
  t.match(onlyError(appDefinition({ ports: [8080] })), { field: 'ports[0]', message: /service port/ });
  t.strictSame(accepted(appDefinition({ requirePorts: true, portDefinitions: [{ port: 8080 }, { port: 0 }] })).spec.ports.map((p) => p.port), [
    8080, 0,
  ]);
});

t.test('fixed ports and port names must be unique', async (t) => {
  t.match(onlyError(appDefinition({ requirePorts: true, ports: [80, 80] })), { field: 'ports[1]', message: 'ports must be unique: 80 is also ports[0]' });
  t.match(onlyError(appDefinition({ portDefinitions: [{ name: 'http' }, { name: 'http' }] })), {
    field: 'portDefinitions[1].name',
    message: 'port names must be unique: "http" is also portDefinitions[0]',
  });
  t.ok(accepted(appDefinition({ ports: [0, 0, 0] })), 'many dynamic ports');
});

t.test('port names follow Marathon\'s rules', async (t) => {
  for (const name of ['HTTP', '-http', 'http_2', '']) {
    t.match(refused(appDefinition({ portDefinitions: [{ name }] })), [{ field: 'portDefinitions[0].name', message: /not a valid port name/ }], name);
  }
});
