import t from 'tap';
import { mkdir, mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyStateDirOf } from '../../src/node/copy/copyStatePaths.js';
import { readCompletion } from '../../src/node/copy/receiverState.js';
import { runSender } from '../../src/node/copy/sender.js';
import { age, bytes, snapshotTree, treeDifferences, writeData } from '../support/datasetTrees.js';
import { freePort, runNodeCommand, waitForListener } from '../support/nodeCli.js';
import { TcpFaultProxy } from '../support/tcpFaultProxy.js';

const MiB = 1024 * 1024;

async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const s = await stat(join(dir, name)).catch(() => undefined);
    if (s?.isFile()) total += s.size;
  }
  return total;
}

t.test('a receiver killed mid-round comes back resumable, is never complete meanwhile, and the CLI reports the final round', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'ferry-copy-crash-'));
  const source = join(base, 'agent-a', 'kv-data');
  const destination = join(base, 'agent-b', 'kv-data');
  await mkdir(source, { recursive: true });
  for (let i = 0; i < 16; i++) {
    const path = join(source, `seg-${i}`);
    await writeData(path, bytes(4 * MiB, i));
    await age(path);
  }
  await age(source);
  const firstPort = await freePort();
  const first = runNodeCommand(['receive', '--dir', destination, '--port', String(firstPort), '--host', '127.0.0.1', '--checkpoint-mib', '8']);
  await waitForListener(firstPort);
  const proxy = new TcpFaultProxy({ targetPort: firstPort, holdAfter: 40 * MiB });
  await proxy.start();
  t.teardown(async () => {
    first.child.kill('SIGKILL');
    await proxy.stop();
    await rm(base, { recursive: true, force: true });
  });

  const torn = runSender({ dir: source, host: '127.0.0.1', port: proxy.port, final: false, connectTimeoutMs: 20_000 });
  torn.catch(() => undefined);
  for (let waited = 0; proxy.forwarded < 40 * MiB && waited < 20_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  t.equal(proxy.forwarded, 40 * MiB, 'the receiver got 40 of 64 MiB before it died');
  for (let waited = 0; (await bytesUnder(destination)) < 32 * MiB && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  first.child.kill('SIGKILL');
  await first.exit;
  await proxy.stop();
  await t.rejects(torn, { code: 'CONNECTION' }, 'the sender sees the connection break');
  t.equal(await readCompletion(copyStateDirOf(destination)), undefined, 'a crashed round is not complete');

  const port = await freePort();
  const second = runNodeCommand(['receive', '--dir', destination, '--port', String(port), '--host', '127.0.0.1']);
  t.teardown(() => second.child.kill('SIGKILL'));
  const send = runNodeCommand(['send', '--dir', source, '--host', '127.0.0.1', '--port', String(port), '--final', '--connect-timeout-s', '20']);
  const sent = await send.result;
  t.equal(sent.ok, true, JSON.stringify(sent));
  t.equal(sent.result?.['complete'], true);
  t.ok((sent.result?.['bytesSent'] as number) <= 64 * MiB - 24 * MiB, `the resumed round sent ${(sent.result?.['bytesSent'] as number) / MiB} MiB of 64`);
  const received = await second.result;
  t.equal(received.ok, true);
  t.equal(received.result?.['complete'], true, 'the receiver exits after the verified final round');
  t.same(treeDifferences(await snapshotTree(source), await snapshotTree(destination)), []);
  t.ok(await readCompletion(copyStateDirOf(destination)));
});

t.test('the CLI answers a failure with one JSON line and exit status 1', async (t) => {
  const run = runNodeCommand(['send', '--dir', '/nonexistent/dataset', '--host', '127.0.0.1', '--port', '1']);
  const line = await run.result;
  t.same({ ok: line.ok, command: line.command, code: line.code }, { ok: false, command: 'send', code: 'INVALID' });
  t.match(line.message, /cannot read the source dataset/);
  t.equal(await run.exit, 1);
});

t.test('receive writes large files directly unless --buffered-writes says otherwise', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'ferry-copy-direct-'));
  t.teardown(() => rm(base, { recursive: true, force: true }));
  const source = join(base, 'agent-a', 'kv-data');
  await writeData(join(source, 'table'), bytes(9 * MiB, 1));
  await age(join(source, 'table'));
  for (const [flags, direct] of [[[], 9 * MiB], [['--buffered-writes'], 0]] as const) {
    const destination = join(base, `agent-b${flags.length}`, 'kv-data');
    const port = await freePort();
    const receiver = runNodeCommand(['receive', '--dir', destination, '--port', String(port), '--host', '127.0.0.1', ...flags]);
    t.teardown(() => receiver.child.kill('SIGKILL'));
    await waitForListener(port);
    await runSender({ dir: source, host: '127.0.0.1', port, final: true });
    const received = await receiver.result;
    t.equal(received.ok, true, JSON.stringify(received));
    const rounds = received.result?.['rounds'] as { bytesWritten: number; bytesWrittenDirect: number }[];
    t.same(rounds.map((r) => [r.bytesWritten, r.bytesWrittenDirect]), [[9 * MiB, direct]], `receive ${flags.join(' ') || '(defaults)'}`);
    t.same(treeDifferences(await snapshotTree(source), await snapshotTree(destination)), []);
  }
});
