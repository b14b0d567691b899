// Move downtime against its floor, per backend (local: copy; loopback and ebs:
// block). A stateful app appends a synced record every few milliseconds; it is
// moved back and forth between two agents N times through Ferry's API. The
// downtime of a move is read from the data: from the last record the old task
// wrote to the first one the new task wrote. Its floor is measured in the same
// run, part by part, without Ferry in the way:
//   kill        a probe framework kills an identical task: its last record → the terminal status at the framework
//   data        copy: the final round of the node engine (the sender's own time, from the move's record);
//               block: unmount + detach + attach + mount, called back to back on a volume of the benchmark's own
//   task start  the probe launches an identical task where its data is ready: ACCEPT → its first record
// overhead = downtime − floor. Each move's step timeline (GET /v1/moves/{id}), the
// simulator's status timestamps and Ferry's log attribute the time to steps.
// Ferry and the simulator run as processes with production defaults; the
// fake EC2 (ebs) and the probe run in this process.
//
//   node dist/bench/moveDowntime.js [backends, default local,loopback,ebs] [moves, default 10]
//   env: FERRY_BENCH_COLD_MIB (cold data in the dataset, default 64),
//        FERRY_BENCH_EBS_DELAY_MS (the fake EC2's attach and detach time, default 300)

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAppDefinition } from '../src/apps/appDefinition.js';
import type { AppSpec } from '../src/apps/appSpec.js';
import type { TaskInfo } from '../src/mesos/types.js';
import type { OfferResources } from '../src/scheduler/placement/offerResources.js';
import { buildTaskInfo } from '../src/scheduler/taskBuilder.js';
import { BACKENDS, type BackendName } from '../src/state/model.js';
import type { MasterState } from '../src/sim/stateJson.js';
import { runHostCommand } from '../src/node/hostCommand.js';
import { BlockFloor, type BlockFloorSample } from './support/blockFloor.js';
import { runBenchmark } from './support/cleanup.js';
import { requestJson, sleep, waitUntil } from './support/httpJson.js';
import { describeMachine, machineInfo } from './support/machine.js';
import { startMoveCluster, type ClusterAgent, type MoveCluster } from './support/moveCluster.js';
import { ProbeFramework } from './support/probeFramework.js';
import { handover, readRecords, writerApp, gapsIn } from './support/recordWriter.js';
import { median, percentile, round } from './support/stats.js';

const BACKEND_LIST = (process.argv[2] ?? 'local,loopback,ebs').split(',').map((b) => {
  const known = BACKENDS.find((k) => k === b);
  if (known === undefined) throw new Error(`unknown backend ${b}: use ${BACKENDS.join(', ')}`);
  return known;
});
const MOVES = Number(process.argv[3] ?? 10);
const COLD_BYTES = Number(process.env['FERRY_BENCH_COLD_MIB'] ?? 64) * 1024 * 1024;
const EBS_DELAY_MS = Number(process.env['FERRY_BENCH_EBS_DELAY_MS'] ?? 300);
const APP_ID = '/bench/writer';
const DATASET = 'writer-data';
const TARGET_OVERHEAD_MS = 100;

interface StepView {
  step: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  detail?: string;
}
interface MoveView {
  id: string;
  state: string;
  from: string;
  to: string;
  stoppedTaskId?: string;
  launchedTaskId?: string;
  steps: StepView[];
  rounds: { final: boolean; ms: number; bytesSent: number }[];
  createdAt: string;
  error?: string;
}
interface TaskView {
  id: string;
  agentId: string;
  state: string;
  launchedAt: string;
}

interface ProbeSample {
  /** last record → terminal status at the framework */
  killMs: number;
  /** KILL call → terminal status at the framework */
  killCallMs: number;
  /** ACCEPT → first record */
  startMs: number;
  /** ACCEPT → TASK_RUNNING on the agent */
  acceptToRunningMs: number;
}

/** One move, as absolute epoch-ms marks from the data, the simulator, Ferry's log and the move's timeline. */
interface MoveSample {
  moveId: string;
  from: string;
  to: string;
  downtimeMs: number;
  /** segments that add up to the downtime */
  segments: { kill: number; data: number; offerWait: number; taskStart: number };
  /** finer marks inside the segments */
  detail: Record<string, number>;
  steps: { step: string; ms: number }[];
  /** copy: the engine's own time for the final round */
  finalEngineMs?: number;
}

interface BackendFigures {
  backend: BackendName;
  probe: ProbeSample[];
  blockFloor?: BlockFloorSample[];
  moves: MoveSample[];
  floor: { killMs: number; dataMs: number; startMs: number; totalMs: number };
  overheadMs: number[];
  recordGaps: number;
  ebsDelaysMs?: { attach: number; detach: number };
}

const ms = (iso: string | undefined): number => (iso === undefined ? NaN : Date.parse(iso));

async function api<T>(cluster: MoveCluster, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  return requestJson<T>(cluster.ferry.api, method, path, body);
}

async function datasetPath(cluster: MoveCluster): Promise<{ agentId: string; hostPath: string; state: string }> {
  const r = await api<{ dataset: { agentId: string; hostPath: string; state: string } }>(cluster, 'GET', `/v1/datasets/${DATASET}`);
  return r.body.dataset;
}

async function deployWriter(cluster: MoveCluster): Promise<void> {
  let r: { status: number; body: unknown } | undefined;
  // the API answers before the scheduler has taken the lead: 503 until then
  await waitUntil(
    async () => {
      r = await api(cluster, 'POST', '/v1/apps', writerApp(APP_ID, DATASET, cluster.backend, COLD_BYTES));
      return r.status !== 503;
    },
    60_000,
    () => 'no Ferry instance took the lead',
    200,
  );
  if (r!.status !== 201) throw new Error(`deploying the writer failed: ${r!.status} ${JSON.stringify(r!.body)}`);
  await waitUntil(
    async () => {
      const d = await datasetPath(cluster);
      return d.state === 'READY' && (await readRecords(d.hostPath)).length > 50;
    },
    120_000,
    () => 'the writer never wrote 50 records',
  );
}

/** A directory where an identical task finds its data ready: beside the dataset (local), or on a mounted ext4 loop device of its own (block). */
async function probeDataDir(cluster: MoveCluster, agent: ClusterAgent): Promise<string> {
  let dir: string;
  if (cluster.backend === 'local') {
    dir = join(agent.datasetRoot, 'probe-data');
    await mkdir(dir, { recursive: true });
  } else {
    dir = join(cluster.dir, 'probe-fs');
    const image = join(cluster.dir, 'probe-fs.img');
    await mkdir(dir, { recursive: true });
    if ((await runHostCommand('findmnt', ['-n', dir], [0, 1])).code !== 0) {
      await runHostCommand('truncate', ['-s', '1G', image]);
      const loop = (await runHostCommand('losetup', ['--find', '--show', image])).stdout.trim();
      await runHostCommand('mkfs.ext4', ['-q', '-F', '-m', '0', loop]);
      await runHostCommand('mount', [loop, dir]);
    }
  }
  // the data is ready: the writer finds its cold file there and only appends
  await runHostCommand('sh', ['-c', `[ -e '${dir}/cold' ] || { head -c ${COLD_BYTES} /dev/urandom > '${dir}/cold' && sync; }`]);
  return dir;
}

/** The probe's side of the floor: an identical task launched where its data is ready, and killed. */
class TaskFloor {
  private constructor(
    private readonly cluster: MoveCluster,
    private readonly probe: ProbeFramework,
    private readonly spec: AppSpec,
  ) {}

  static async start(cluster: MoveCluster): Promise<TaskFloor> {
    const parsed = parseAppDefinition(writerApp('/bench/probe', 'probe-data', cluster.backend, COLD_BYTES));
    if (!parsed.ok) throw new Error(`the probe app does not parse: ${JSON.stringify(parsed.errors)}`);
    return new TaskFloor(cluster, await ProbeFramework.start(cluster.sim.address), parsed.spec);
  }

  async sample(agent: ClusterAgent): Promise<ProbeSample> {
    const spec = this.spec;
    const dataDir = await probeDataDir(this.cluster, agent);
    const build = (offer: OfferResources, taskId: string): TaskInfo =>
      buildTaskInfo(spec, 0, {
        taskId,
        agentId: agent.id,
        hostname: agent.hostname,
        resources: offer.take({ cpus: spec.cpus, mem: spec.mem, disk: 0, ports: [] }, []),
        ports: [],
        dataset: { name: 'probe-data', hostPath: dataDir, dataVia: 'volume' },
      });
    const launched = await this.probe.launch(agent.id, build);
    let first: number | undefined;
    await waitUntil(
      async () => {
        first = (await readRecords(dataDir)).find((r) => r.taskId === launched.taskId)?.atMs;
        return first !== undefined;
      },
      30_000,
      () => `probe task ${launched.taskId} wrote nothing`,
      5,
    );
    await sleep(300);
    const killed = await this.probe.kill(launched.taskId, agent.id);
    const last = (await readRecords(dataDir)).findLast((r) => r.taskId === launched.taskId)!.atMs;
    return {
      killMs: killed.terminalSeenAt - last,
      killCallMs: killed.terminalSeenAt - killed.killAt,
      startMs: first! - launched.acceptAt,
      acceptToRunningMs: launched.runningAt - launched.acceptAt,
    };
  }

  stop(): Promise<void> {
    return this.probe.stop();
  }
}

/** Pino lines of Ferry's log with their time and message. */
function ferryLog(cluster: MoveCluster): { time: number; msg: string; line: Record<string, unknown> }[] {
  const out: { time: number; msg: string; line: Record<string, unknown> }[] = [];
  for (const text of cluster.ferry.child.lines()) {
    if (!text.startsWith('{')) continue;
    try {
      const line = JSON.parse(text) as Record<string, unknown>;
      if (typeof line['time'] === 'number') out.push({ time: line['time'], msg: String(line['msg'] ?? ''), line });
    } catch {
      // not a log line
    }
  }
  return out;
}

function statusTime(state: MasterState, taskId: string, wanted: string): number {
  for (const f of state.frameworks) {
    for (const t of [...f.tasks, ...f.completed_tasks]) {
      if (t.id !== taskId) continue;
      const s = t.statuses.find((x) => x.state === wanted);
      if (s !== undefined) return s.timestamp * 1000;
    }
  }
  return NaN;
}

async function moveOnce(cluster: MoveCluster, to: ClusterAgent): Promise<MoveSample> {
  const started = await api<{ moveId: string }>(cluster, 'POST', `/v1/datasets/${DATASET}/move`, { to: to.id });
  if (started.status !== 202) throw new Error(`the move was refused: ${started.status} ${JSON.stringify(started.body)}`);
  let move: MoveView | undefined;
  await waitUntil(
    async () => {
      move = (await api<{ move: MoveView }>(cluster, 'GET', `/v1/moves/${started.body.moveId}`)).body.move;
      return move.state !== 'RUNNING';
    },
    180_000,
    () => JSON.stringify(move),
    50,
  );
  const m = move!;
  if (m.state !== 'SUCCEEDED' || m.stoppedTaskId === undefined || m.launchedTaskId === undefined) throw new Error(`move ${m.id} ended ${m.state}: ${m.error ?? JSON.stringify(m)}`);
  const where = await datasetPath(cluster);
  let marks: { lastMs: number; firstMs: number } | undefined;
  await waitUntil(
    async () => {
      marks = handover(await readRecords(where.hostPath), m.stoppedTaskId!, m.launchedTaskId!);
      return marks !== undefined;
    },
    30_000,
    () => `no record of ${m.launchedTaskId} after ${m.stoppedTaskId} in ${where.hostPath}`,
    20,
  );
  const tasks = (await api<{ tasks: TaskView[] }>(cluster, 'GET', `/v1/apps${APP_ID}`)).body.tasks;
  const launchedTask = tasks.find((t) => t.id === m.launchedTaskId);
  const state = await cluster.sim.state();
  const log = ferryLog(cluster);
  const stepOf = (name: string): StepView | undefined => m.steps.find((s) => s.step === name);
  const stop = stepOf('STOP_TASK')!;
  const launch = stepOf('LAUNCH')!;
  const killCall = log.find((l) => l.msg === 'killing' && l.line['taskId'] === m.stoppedTaskId)?.time ?? NaN;
  const acceptCall = log.find((l) => l.msg === 'launching' && (l.line['tasks'] as string[] | undefined)?.includes(m.launchedTaskId!))?.time ?? NaN;
  const { lastMs, firstMs } = marks!;
  const stopEnd = ms(stop.endedAt);
  const launchStart = ms(launch.startedAt);
  const finalRound = m.rounds.find((r) => r.final);
  const sample: MoveSample = {
    moveId: m.id,
    from: m.from,
    to: m.to,
    downtimeMs: firstMs - lastMs,
    segments: {
      kill: stopEnd - lastMs,
      data: launchStart - stopEnd,
      offerWait: acceptCall - launchStart,
      taskStart: firstMs - acceptCall,
    },
    detail: {
      moveStartToKillCall: killCall - ms(m.createdAt),
      killCallToLastRecord: lastMs - killCall,
      lastRecordToKilledOnAgent: statusTime(state, m.stoppedTaskId, 'TASK_KILLED') - lastMs,
      killedOnAgentToStopTaskEnd: stopEnd - statusTime(state, m.stoppedTaskId, 'TASK_KILLED'),
      launchStartToLaunchDecided: ms(launchedTask?.launchedAt) - launchStart,
      launchDecidedToAcceptCall: acceptCall - ms(launchedTask?.launchedAt),
      acceptCallToRunningOnAgent: statusTime(state, m.launchedTaskId, 'TASK_RUNNING') - acceptCall,
      runningOnAgentToFirstRecord: firstMs - statusTime(state, m.launchedTaskId, 'TASK_RUNNING'),
      runningOnAgentToLaunchEnd: ms(launch.endedAt) - statusTime(state, m.launchedTaskId, 'TASK_RUNNING'),
    },
    steps: m.steps.filter((s) => s.endedAt !== undefined).map((s) => ({ step: s.step, ms: ms(s.endedAt) - ms(s.startedAt) })),
    ...(finalRound !== undefined ? { finalEngineMs: finalRound.ms } : {}),
  };
  return sample;
}

async function runBackend(backend: BackendName): Promise<BackendFigures> {
  const cluster = await startMoveCluster({ backend, ebsDelaysMs: { create: 200, attach: EBS_DELAY_MS, detach: EBS_DELAY_MS } });
  try {
    await deployWriter(cluster);
    const taskFloor = await TaskFloor.start(cluster);
    const blockFloor = backend === 'local' ? undefined : await BlockFloor.start(cluster);
    const probe: ProbeSample[] = [];
    const blockSamples: BlockFloorSample[] = [];
    const moves: MoveSample[] = [];
    let at = (await datasetPath(cluster)).agentId;
    try {
      for (let i = 0; i < MOVES; i++) {
        // the floor's samples interleave with the moves: the same machine, the same moment
        probe.push(await taskFloor.sample(cluster.agents[i % cluster.agents.length]!));
        if (blockFloor !== undefined) blockSamples.push(await blockFloor.sample());
        await sleep(1000);
        const to = cluster.agents.find((a) => a.id !== at)!;
        const sample = await moveOnce(cluster, to);
        moves.push(sample);
        at = to.id;
        process.stderr.write(`${backend} move ${i + 1}/${MOVES}: downtime ${Math.round(sample.downtimeMs)} ms ${JSON.stringify(roundAll(sample.segments))}\n`);
      }
    } finally {
      await taskFloor.stop();
      await blockFloor?.stop();
    }
    const records = await readRecords((await datasetPath(cluster)).hostPath);
    const killMs = median(probe.map((p) => p.killMs));
    const startMs = median(probe.map((p) => p.startMs));
    const dataMs = blockFloor !== undefined ? median(blockSamples.map((b) => b.totalMs)) : median(moves.map((m) => m.finalEngineMs ?? NaN));
    const floor = { killMs, dataMs, startMs, totalMs: killMs + dataMs + startMs };
    // a copy move's final round is its own data floor; block moves share the measured one
    const overheadMs = moves.map((m) => m.downtimeMs - (killMs + (m.finalEngineMs ?? dataMs) + startMs));
    await writeFile(join(cluster.dir, 'figures.json'), JSON.stringify({ probe, blockSamples, moves }, null, 2));
    return {
      backend,
      probe,
      ...(blockFloor !== undefined ? { blockFloor: blockSamples } : {}),
      moves,
      floor,
      overheadMs,
      recordGaps: gapsIn(records),
      ...(cluster.ec2 !== undefined ? { ebsDelaysMs: { attach: cluster.ec2.delaysMs.attach, detach: cluster.ec2.delaysMs.detach } } : {}),
    };
  } finally {
    await cluster.stop();
  }
}

function roundAll(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Math.round(v)]));
}

function fmt(values: readonly number[]): string {
  return `median ${Math.round(median(values))} ms, p90 ${Math.round(percentile(values, 90))} ms`;
}

function report(f: BackendFigures): void {
  const downtime = f.moves.map((m) => m.downtimeMs);
  console.log(`\n== ${f.backend} (${f.moves.length} moves) ==`);
  console.log(`downtime (last record of the old task → first record of the new): ${fmt(downtime)}`);
  console.log(
    `floor: kill ${Math.round(f.floor.killMs)} + data ${Math.round(f.floor.dataMs)} + task start ${Math.round(f.floor.startMs)} = ${Math.round(f.floor.totalMs)} ms (medians of ${f.probe.length} probes${f.blockFloor ? ` and ${f.blockFloor.length} direct block moves` : ', data = each move\'s final engine round'})`,
  );
  console.log(`overhead: ${fmt(f.overheadMs)} (target: median ≤ ${TARGET_OVERHEAD_MS} ms) — ${median(f.overheadMs) <= TARGET_OVERHEAD_MS ? 'met' : 'MISSED'}`);
  console.log(`probe: kill call → terminal ${fmt(f.probe.map((p) => p.killCallMs))}; accept → RUNNING on the agent ${fmt(f.probe.map((p) => p.acceptToRunningMs))}`);
  if (f.blockFloor !== undefined) {
    const part = (k: keyof BlockFloorSample) => Math.round(median(f.blockFloor!.map((b) => b[k])));
    console.log(`block floor parts (medians): unmount ${part('unmountMs')}, detach ${part('detachMs')}, attach ${part('attachMs')}, mount ${part('mountMs')} ms${f.ebsDelaysMs ? ` (the fake EC2 itself: detach ${f.ebsDelaysMs.detach}, attach ${f.ebsDelaysMs.attach} ms)` : ''}`);
  }
  const seg = (k: keyof MoveSample['segments']) => f.moves.map((m) => m.segments[k]);
  console.log(`downtime by segment (medians): kill ${Math.round(median(seg('kill')))}, data ${Math.round(median(seg('data')))}, offer wait ${Math.round(median(seg('offerWait')))}, task start ${Math.round(median(seg('taskStart')))} ms`);
  const keys = Object.keys(f.moves[0]?.detail ?? {});
  console.log(`finer marks (medians): ${keys.map((k) => `${k} ${Math.round(median(f.moves.map((m) => m.detail[k]!)))}`).join(', ')}`);
  const steps = [...new Set(f.moves.flatMap((m) => m.steps.map((s) => s.step)))];
  console.log(`step durations (medians): ${steps.map((s) => `${s} ${Math.round(median(f.moves.flatMap((m) => m.steps.filter((x) => x.step === s).map((x) => x.ms))))}`).join(', ')}`);
  if (f.backend === 'local') console.log(`final round in the engine: ${fmt(f.moves.map((m) => m.finalEngineMs ?? NaN))}`);
  console.log(`records: ${f.recordGaps === 0 ? 'no gap, nothing twice' : `${f.recordGaps} out of sequence`}`);
  console.log('per move: ' + f.moves.map((m, i) => `#${i + 1} ${Math.round(m.downtimeMs)}/${Math.round(f.overheadMs[i]!)}`).join(' ') + ' (downtime/overhead ms)');
}

await runBenchmark(async () => {
  const machine = machineInfo();
  console.log(`move downtime — ${describeMachine(machine)}; backends ${BACKEND_LIST.join(', ')}, ${MOVES} moves each, ${COLD_BYTES / 1024 / 1024} MiB cold data`);
  const results: BackendFigures[] = [];
  for (const backend of BACKEND_LIST) {
    const figures = await runBackend(backend);
    results.push(figures);
    report(figures);
  }
  console.log(`\nload average at the end: ${machineInfo().loadAverage.join(' ')}`);
  console.log(
    JSON.stringify({
      benchmark: 'moveDowntime',
      machine,
      results: results.map((r) => ({
        ...r,
        summary: { downtimeMedianMs: round(median(r.moves.map((m) => m.downtimeMs))), downtimeP90Ms: round(percentile(r.moves.map((m) => m.downtimeMs), 90)), overheadMedianMs: round(median(r.overheadMs)), overheadP90Ms: round(percentile(r.overheadMs, 90)) },
      })),
    }),
  );
});
