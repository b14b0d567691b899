import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Simulator } from '../../src/sim/simulator.js';
import { waitFor } from '../support/ferryProcess.js';
import { httpsCall, startScheduler } from './schedulerFlags.js';

const run = promisify(execFile);
const ADMIN = 'tls-admin-0123456789';

t.test('with --tls-cert and --tls-key the API, its forwarding and its advertised URLs use https', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-tls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert,
  ]);
  const ca = await readFile(cert, 'utf8');
  const tokens = join(dir, 'tokens');
  await writeFile(tokens, `${ADMIN} admin\n`, { mode: 0o600 });

  const sim = await Simulator.start({ workDir: join(dir, 'sim'), agents: 1, allocationIntervalMs: 100, heartbeatIntervalSeconds: 1 });
  t.teardown(() => sim.stop());
  const flags = { master: `127.0.0.1:${sim.port}`, state: `file:${join(dir, 'state')}`, tlsCert: cert, tlsKey: key, authTokens: tokens };
  const leader = await startScheduler(t, flags);
  await waitFor(() => leader.service.isSubscribed, 10_000, () => 'never subscribed');

  t.match(await httpsCall(leader.api, ca, 'GET', '/v1/health'), { status: 200, body: { status: 'ok', role: 'leader' } });
  t.match(await httpsCall(leader.api, ca, 'GET', '/v1/datasets'), { status: 401 }, 'tokens from --auth-tokens apply');
  t.match(await httpsCall(leader.api, ca, 'GET', '/v1/datasets', { Authorization: `Bearer ${ADMIN}` }), { status: 200, body: { datasets: [] } });
  const plain = await fetch(`http://${leader.api}/v1/health`).then((r) => r.status, (err: Error) => err.message);
  t.not(plain, 200, 'plain http is not answered');
  await t.rejects(httpsCall(leader.api, '', 'GET', '/v1/health'), /self[- ]signed|unable to verify/i, 'a client that does not trust the certificate is refused');

  t.equal(leader.service.config.artifactUrl, `https://${leader.api}/v1/artifacts/ferry-node.tar.gz`, 'agents fetch the node artifact over https');
  await waitFor(() => sim.state().frameworks.length === 1, 5_000, () => 'no framework');
  t.equal(sim.state().frameworks[0]!.webui_url, `https://${leader.api}/ui/`, 'Mesos links to the UI over https');

  const standby = await startScheduler(t, flags);
  await waitFor(async () => (await httpsCall(standby.api, ca, 'GET', '/v1/health')).status === 200, 10_000, () => 'the standby is not up');
  t.match(await httpsCall(standby.api, ca, 'GET', '/v1/health'), { body: { role: 'standby' } });
  const created = await httpsCall(standby.api, ca, 'POST', '/v1/datasets', { Authorization: `Bearer ${ADMIN}` }, { name: 'over-tls', size: 1 });
  t.match(created, { status: 201, body: { dataset: { name: 'over-tls' } } }, 'the standby forwarded the write to the leader over https');
});
