import t, { type Test } from 'tap';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/common/log.js';
import { MesosCallError, NotSubscribedError } from '../../src/mesos/callErrors.js';
import { JSON_MEDIA, PROTOBUF, type MediaType } from '../../src/mesos/codec.js';
import { encodeRecord } from '../../src/mesos/recordio.js';
import { SchedulerClient } from '../../src/mesos/schedulerClient.js';
import { StaticMasterDetector } from '../../src/mesos/staticMasterDetector.js';
import { parseMasterAddress } from '../../src/mesos/masterAddress.js';
import type { FrameworkInfo, Offer, TaskInfo, TaskStatus } from '../../src/mesos/types.js';
import { Simulator, type SimulatorOptions } from '../../src/sim/simulator.js';
import { EventLog, isOffers, isUpdate, nextEvent, nextSubscription, once } from '../support/clientEvents.js';

const FRAMEWORK: FrameworkInfo = {
  user: 'root',
  name: 'client-test',
  checkpoint: true,
  failover_timeout: 60,
  roles: ['*'],
  capabilities: [{ type: 'PARTITION_AWARE' }, { type: 'MULTI_ROLE' }],
};

async function startSim(t: Test, options: Partial<SimulatorOptions> = {}): Promise<{ sim: Simulator; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-client-'));
  const sim = await Simulator.start({ workDir: dir, agents: 2, allocationIntervalMs: 100, heartbeatIntervalSeconds: 1, statusUpdateRetryMs: 500, ...options });
  t.teardown(async () => {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return { sim, dir };
}

function client(t: Test, master: string, options: { media?: MediaType; framework?: FrameworkInfo; credential?: { principal: string; secret: string } } = {}): SchedulerClient {
  const c = new SchedulerClient({
    detector: new StaticMasterDetector(master.split(',').map(parseMasterAddress)),
    framework: options.framework ?? FRAMEWORK,
    media: options.media ?? PROTOBUF,
    backoff: { initialMs: 50, maxMs: 500 },
    logger: silentLogger(),
    ...(options.credential ? { credential: options.credential } : {}),
  });
  t.teardown(() => c.stop());
  return c;
}

function task(name: string, offer: Offer, command: string, extra: Partial<TaskInfo> = {}): TaskInfo {
  return {
    name,
    task_id: { value: name },
    agent_id: offer.agent_id,
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, role: '*', allocation_info: { role: '*' } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 }, role: '*', allocation_info: { role: '*' } },
    ],
    command: { value: command },
    ...extra,
  };
}

async function acked(c: SchedulerClient, log: EventLog, taskId: string, state: string): Promise<TaskStatus> {
  const e = await log.wait(isUpdate(taskId, state));
  const status = e.update.status;
  if (status.uuid !== undefined) await c.acknowledge(status);
  return status;
}

for (const media of [PROTOBUF, JSON_MEDIA] as const) {
  t.test(`a framework subscribes, launches, acknowledges, kills and reconciles (${media})`, async (t) => {
    const { sim, dir } = await startSim(t);
    const c = client(t, sim.url.replace('http://', ''), { media });
    const log = new EventLog(c);
    const offers = nextEvent(c, isOffers);
    const subscribed = nextSubscription(c);
    await c.start();
    const sub = await subscribed;
    t.match(sub, { resubscribed: false, heartbeatIntervalSeconds: 1 });
    t.equal(c.frameworkId, sub.frameworkId);

    const offer = (await offers).offers.offers![0]!;
    const hostDir = join(dir, 'volume-' + media.replace('/', '-'));
    await mkdir(hostDir); // as on a real agent, a HOST_PATH must exist unless the agent may create it
    const writer = task('writer', offer, 'echo hello > data/greeting', {
      container: { type: 'MESOS', volumes: [{ mode: 'RW', container_path: 'data', source: { type: 'HOST_PATH', host_path: { path: hostDir } } }] },
    });
    const sleeper = task('sleeper', offer, 'sleep 60', { kill_policy: { grace_period: { nanoseconds: 1e9 } } });
    await c.accept([offer.id], [{ type: 'LAUNCH', launch: { task_infos: [writer, sleeper] } }]);

    for (const state of ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']) {
      const s = await acked(c, log, 'writer', state);
      t.equal(s.source, 'SOURCE_EXECUTOR', `writer ${state} from the executor`);
      t.ok(s.uuid, `writer ${state} carries a uuid`);
    }
    t.equal(await readFile(join(hostDir, 'greeting'), 'utf8'), 'hello\n', 'the task wrote through its HOST_PATH volume');

    await acked(c, log, 'sleeper', 'TASK_STARTING');
    await acked(c, log, 'sleeper', 'TASK_RUNNING');
    await c.kill({ value: 'sleeper' }, offer.agent_id);
    const killed = await acked(c, log, 'sleeper', 'TASK_KILLED');
    t.equal(killed.message, 'Command terminated with signal Terminated');

    const gone = log.wait(isUpdate('sleeper', 'TASK_GONE'));
    const unknown = log.wait(isUpdate('never-seen'));
    await c.reconcile([{ task_id: { value: 'sleeper' }, agent_id: offer.agent_id }, { task_id: { value: 'never-seen' }, agent_id: offer.agent_id }]);
    t.match((await gone).update.status, { reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER', uuid: undefined });
    t.equal((await unknown).update.status.state, 'TASK_GONE');
  });
}

t.test('a call the master refuses rejects with its status and message', async (t) => {
  const { sim } = await startSim(t);
  const c = client(t, sim.url.replace('http://', ''));
  await t.rejects(c.revive(), NotSubscribedError, 'no call before SUBSCRIBED');
  const subscribed = nextSubscription(c);
  await c.start();
  await subscribed;
  const refused = await c.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'S0' }, task_id: { value: 't' }, uuid: 'AAAA' } }).catch((e: unknown) => e);
  t.ok(refused instanceof MesosCallError && refused.isClientError, 'a 4xx becomes a MesosCallError');
  t.match(refused, { status: 400, masterMessage: /^Failed to validate scheduler::Call: / });
  const terminated = once(c, 'terminated');
  await c.teardown();
  t.match(await terminated, { message: /Framework/ }, 'after TEARDOWN the master will not take this framework back');
  await t.rejects(c.decline([{ value: 'x' }]), NotSubscribedError);
});

t.test('a dead stream is noticed by the heartbeat watchdog and the framework resubscribes with its id', async (t) => {
  const { sim } = await startSim(t, { heartbeatIntervalSeconds: 0.2 });
  const c = client(t, sim.url.replace('http://', ''));
  const first = nextSubscription(c);
  await c.start();
  const sub = await first;
  const disconnected = once(c, 'disconnected');
  const again = nextSubscription(c, 20_000);
  await sim.pauseStreams();
  t.match(await disconnected, { reason: /no event from the master for 5 heartbeat intervals/ });
  await sim.resumeStreams();
  const resub = await again;
  t.equal(resub.frameworkId, sub.frameworkId, 'same framework id');
  t.equal(resub.resubscribed, true);
  t.not(resub.streamId, sub.streamId, 'a new stream');
});

t.test('after a master restart the framework resubscribes and finds its task still running', async (t) => {
  const { sim } = await startSim(t);
  const c = client(t, sim.url.replace('http://', ''));
  const log = new EventLog(c);
  const offers = nextEvent(c, isOffers);
  const first = nextSubscription(c);
  await c.start();
  const sub = await first;
  const offer = (await offers).offers.offers![0]!;
  await c.accept([offer.id], [{ type: 'LAUNCH', launch: { task_infos: [task('survivor', offer, 'sleep 60')] } }]);
  await acked(c, log, 'survivor', 'TASK_STARTING');
  await acked(c, log, 'survivor', 'TASK_RUNNING');

  const again = nextSubscription(c, 20_000);
  await sim.restartMaster();
  const resub = await again;
  t.equal(resub.frameworkId, sub.frameworkId);
  const running = log.wait(isUpdate('survivor', 'TASK_RUNNING'));
  await c.reconcile([]);
  t.match((await running).update.status, { reason: 'REASON_RECONCILIATION' });
});

t.test('a newer subscriber with the same framework id wins; the old client stops for good', async (t) => {
  const { sim } = await startSim(t);
  const master = sim.url.replace('http://', '');
  const a = client(t, master);
  const subA = nextSubscription(a);
  await a.start();
  const { frameworkId } = await subA;
  const b = client(t, master, { framework: { ...FRAMEWORK, id: { value: frameworkId } } });
  const terminated = once(a, 'terminated');
  const subB = nextSubscription(b);
  await b.start();
  t.equal((await subB).frameworkId, frameworkId);
  t.same(await terminated, { message: 'Framework failed over' });
  t.equal(a.state, 'terminated');
});

t.test('framework authentication sends the principal and secret', async (t) => {
  const { sim } = await startSim(t, { credentials: [{ principal: 'ferry', secret: 's3cret' }] });
  const master = sim.url.replace('http://', '');
  const good = client(t, master, { credential: { principal: 'ferry', secret: 's3cret' } });
  const subscribed = nextSubscription(good);
  await good.start();
  t.ok((await subscribed).frameworkId);
  const bad = client(t, master, { credential: { principal: 'ferry', secret: 'wrong' } });
  await bad.start();
  await t.rejects(nextSubscription(bad, 1500), /no subscribed/, 'a wrong secret never subscribes');
  t.not(bad.state, 'subscribed');
});

t.test('a malformed event stream is refused and the client reconnects', async (t) => {
  let subscribes = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    subscribes++;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Mesos-Stream-Id': `s${subscribes}` });
    if (subscribes === 1) {
      res.write(encodeRecord(Buffer.from(JSON.stringify({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'f1' }, heartbeat_interval_seconds: 15 } }))));
      res.write('12x\n{"garbage"');
    } else {
      res.write(encodeRecord(Buffer.from(JSON.stringify({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'f1' }, heartbeat_interval_seconds: 15 } }))));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  t.teardown(() => server.closeAllConnections());
  const port = (server.address() as { port: number }).port;
  const c = client(t, `127.0.0.1:${port}`, { media: JSON_MEDIA });
  const first = nextSubscription(c);
  const lost = once(c, 'disconnected');
  await c.start();
  await first;
  t.match(await lost, { reason: /malformed RecordIO length/ });
  const second = await nextSubscription(c);
  t.equal(second.streamId, 's2', 'subscribed again on a fresh stream');
  t.equal(subscribes, 2);
});

t.test('a call that meets stale kept-alive connections is sent again on a new connection of its own', async (t) => {
  // a master that drops every connection on its second request, unanswered: what a kept-alive
  // connection the master closed while it sat idle looks like to the client
  const callsPerSocket = new WeakMap<object, number>();
  const answered: string[] = [];
  let dropping = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string };
      if (body.type === 'SUBSCRIBE') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Mesos-Stream-Id': 's1' });
        res.write(encodeRecord(Buffer.from(JSON.stringify({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'f1' }, heartbeat_interval_seconds: 15 } }))));
        return;
      }
      const n = (callsPerSocket.get(req.socket) ?? 0) + 1;
      callsPerSocket.set(req.socket, n);
      if (dropping && n > 1) {
        req.socket.destroy();
        return;
      }
      answered.push(body.type);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  t.teardown(() => server.closeAllConnections());
  const port = (server.address() as { port: number }).port;
  const c = client(t, `127.0.0.1:${port}`, { media: JSON_MEDIA });
  const subscribed = nextSubscription(c);
  await c.start();
  await subscribed;
  // several pooled connections, each used once
  await Promise.all([c.revive(), c.revive(), c.revive(), c.revive()]);
  t.equal(answered.length, 4);
  dropping = true;
  await c.decline([{ value: 'o1' }], { refuse_seconds: 5 });
  t.same(answered.slice(4), ['DECLINE'], 'the DECLINE arrived once more, on a connection of its own');
});

t.test('OFFERS events come with the CPU their reading cost; other events come without', async (t) => {
  const { sim } = await startSim(t);
  const c = client(t, sim.url.replace('http://', ''));
  const heard: { type: string; readCpuMicros: number | undefined }[] = [];
  const done = new Promise<void>((resolve) => {
    c.on('event', (event, cost) => {
      heard.push({ type: event.type, readCpuMicros: cost?.readCpuMicros });
      if (heard.some((h) => h.type === 'OFFERS') && heard.some((h) => h.type === 'HEARTBEAT')) resolve();
    });
  });
  await c.start();
  await done;
  for (const h of heard) {
    if (h.type === 'OFFERS') t.ok(h.readCpuMicros !== undefined && h.readCpuMicros >= 0, `OFFERS: ${h.readCpuMicros} us`);
    else t.equal(h.readCpuMicros, undefined, `${h.type} carries no cost`);
  }
});
