import t from 'tap';
import { createControlPlane } from '../../src/backends/controlPlanes.js';
import { EbsControlPlane } from '../../src/backends/ebs/ebsControlPlane.js';
import { MemoryVolumeLedger } from '../../src/backends/local/volumeLedger.js';

t.test('each backend is built by name, as a copy or a block backend', async (t) => {
  const local = createControlPlane('c1', { backend: 'local', ledger: new MemoryVolumeLedger() });
  const loopback = createControlPlane('c1', { backend: 'loopback', store: '/nonexistent/store' });
  const ebs = createControlPlane('c1', { backend: 'ebs', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  t.teardown(() => (ebs as EbsControlPlane).close());
  t.same([local.name, local.kind], ['local', 'copy']);
  t.same([loopback.name, loopback.kind], ['loopback', 'block']);
  t.same([ebs.name, ebs.kind], ['ebs', 'block']);
});

t.test('a cluster name that could not tag or name files is refused at construction', async (t) => {
  t.throws(() => createControlPlane('Bad Cluster', { backend: 'local', ledger: new MemoryVolumeLedger() }), { code: 'INVALID' });
});
