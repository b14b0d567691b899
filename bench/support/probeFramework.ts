// A second, minimal Mesos framework on the benchmark's simulator that measures
// the floor of a move's task work without Ferry in the way: it launches the
// very TaskInfo Ferry would build for an app (on an agent where its data is
// ready) the moment an offer from that agent is in hand, and kills it, timing
// ACCEPT → TASK_RUNNING and KILL → terminal status as a framework sees them.
// Between launches it declines every offer with a long filter (it runs beside
// Ferry and must not hold what Ferry needs), and revives when it wants one.
// It decides nothing else and leaves when asked (TEARDOWN).

import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { silentLogger } from '../../src/common/log.js';
import type { SchedulerEvent } from '../../src/mesos/events.js';
import { parseMasterAddress } from '../../src/mesos/masterAddress.js';
import { SchedulerClient } from '../../src/mesos/schedulerClient.js';
import { StaticMasterDetector } from '../../src/mesos/staticMasterDetector.js';
import { isTerminalTaskState, type Offer, type TaskInfo, type TaskState, type TaskStatus } from '../../src/mesos/types.js';
import { OfferResources } from '../../src/scheduler/placement/offerResources.js';

export interface ProbeLaunch {
  taskId: string;
  agentId: string;
  /** epoch ms: the ACCEPT call was made */
  acceptAt: number;
  /** epoch ms: TASK_RUNNING reached this framework */
  runningSeenAt: number;
  /** epoch ms: the agent's timestamp of TASK_RUNNING */
  runningAt: number;
}

export interface ProbeKill {
  /** epoch ms: the KILL call was made */
  killAt: number;
  /** epoch ms: the terminal status reached this framework */
  terminalSeenAt: number;
  /** epoch ms: the agent's timestamp of it */
  terminalAt: number;
  state: TaskState;
}

/** Offers the probe does not use stay away this long, or until it revives. */
const IDLE_REFUSE_SECONDS = 3600;

type Waiter = { taskId: string; done: (s: TaskState) => boolean; resolve: (s: { status: TaskStatus; seenAt: number }) => void };

export class ProbeFramework {
  private readonly offerWaiters: { agentId: string; resolve: (o: Offer) => void }[] = [];
  private readonly statusWaiters: Waiter[] = [];

  private constructor(private readonly client: SchedulerClient) {
    client.on('event', (event) => this.onEvent(event));
  }

  static async start(master: string): Promise<ProbeFramework> {
    const client = new SchedulerClient({
      detector: new StaticMasterDetector([parseMasterAddress(master)]),
      framework: { user: os.userInfo().username, name: 'ferry-bench-probe', roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' }, { type: 'TASK_KILLING_STATE' }], failover_timeout: 0 },
      logger: silentLogger(),
    });
    const probe = new ProbeFramework(client);
    const subscribed = new Promise<void>((resolve) => client.once('subscribed', () => resolve()));
    await client.start();
    await subscribed;
    return probe;
  }

  /**
   * Launches the task `build` makes from an offer of `agentId` as soon as one
   * is here, and resolves once it runs. Times start at the ACCEPT call.
   */
  async launch(agentId: string, build: (offer: OfferResources, taskId: string) => TaskInfo): Promise<ProbeLaunch> {
    const offer = await this.offerFrom(agentId);
    const taskId = `probe-${randomUUID()}`;
    const task = build(new OfferResources(offer), taskId);
    const running = this.statusOf(taskId, (s) => s === 'TASK_RUNNING' || isTerminalTaskState(s));
    const acceptAt = Date.now();
    await this.client.accept([offer.id], [{ type: 'LAUNCH', launch: { task_infos: [task] } }], { refuse_seconds: IDLE_REFUSE_SECONDS });
    const { status, seenAt } = await running;
    if (status.state !== 'TASK_RUNNING') throw new Error(`probe task ${taskId} ended ${status.state} at launch: ${status.message ?? ''}`);
    return { taskId, agentId, acceptAt, runningSeenAt: seenAt, runningAt: agentTime(status, seenAt) };
  }

  async kill(taskId: string, agentId: string): Promise<ProbeKill> {
    const terminal = this.statusOf(taskId, isTerminalTaskState);
    const killAt = Date.now();
    await this.client.kill({ value: taskId }, { value: agentId });
    const { status, seenAt } = await terminal;
    return { killAt, terminalSeenAt: seenAt, terminalAt: agentTime(status, seenAt), state: status.state };
  }

  /** Leaves the cluster: Mesos kills what is left of its tasks and forgets it. */
  async stop(): Promise<void> {
    await this.client.teardown().catch(() => undefined);
    await this.client.stop();
  }

  /** Revives (clearing the long filters) and waits; the timing of a launch starts only once the offer is here. */
  private offerFrom(agentId: string): Promise<Offer> {
    const offer = new Promise<Offer>((resolve) => this.offerWaiters.push({ agentId, resolve }));
    void this.client.revive().catch(() => undefined);
    return offer;
  }

  private statusOf(taskId: string, done: (s: TaskState) => boolean): Promise<{ status: TaskStatus; seenAt: number }> {
    return new Promise((resolve) => this.statusWaiters.push({ taskId, done, resolve }));
  }

  private onEvent(event: SchedulerEvent): void {
    const now = Date.now();
    switch (event.type) {
      case 'OFFERS':
        for (const offer of event.offers.offers ?? []) this.onOffer(offer);
        break;
      case 'UPDATE': {
        const status = event.update.status;
        if (status.uuid !== undefined) void this.client.acknowledge(status).catch(() => undefined);
        for (const w of [...this.statusWaiters]) {
          if (w.taskId !== status.task_id.value || !w.done(status.state)) continue;
          this.statusWaiters.splice(this.statusWaiters.indexOf(w), 1);
          w.resolve({ status, seenAt: now });
        }
        break;
      }
      default:
        break;
    }
  }

  /** An offer someone waits for is handed over; every other goes back at once, not to come again until a revive. */
  private onOffer(offer: Offer): void {
    const agentId = offer.agent_id.value;
    const waiter = this.offerWaiters.find((w) => w.agentId === agentId);
    if (waiter !== undefined) {
      this.offerWaiters.splice(this.offerWaiters.indexOf(waiter), 1);
      waiter.resolve(offer);
      return;
    }
    void this.client.decline([offer.id], { refuse_seconds: IDLE_REFUSE_SECONDS }).catch(() => undefined);
  }
}

/** The agent's own clock for a status (seconds, as Mesos sends it), or when it was seen when it has none. */
function agentTime(status: TaskStatus, seenAt: number): number {
  return status.timestamp !== undefined ? status.timestamp * 1000 : seenAt;
}
