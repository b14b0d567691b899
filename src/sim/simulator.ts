// A Mesos master with its agents in one process, reached over a real HTTP
// socket as a real master is: the face of the simulator for tests, local mode
// and benchmarks. It leaves no process, timer or socket behind after stop().

import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { silentLogger, type Logger } from '../common/log.js';
import type { MaintenanceClusterStatus, MaintenanceSchedule } from '../mesos/operator.js';
import type { Attribute, DrainConfig, MachineID } from '../mesos/types.js';
import { SimAgent, type SimTaskView } from './agent.js';
import { AgentLink } from './agentLink.js';
import { parseAttributes } from './attributes.js';
import type { Credential } from './credentials.js';
import { createHttpApp } from './httpApp.js';
import { MasterIds } from './ids.js';
import { agentMachine } from './machineIds.js';
import { MaintenanceRegistry } from './maintenanceRegistry.js';
import { Master, type OperatorAnswer } from './master.js';
import type { AgentInfo, MasterRegistry } from './masterModel.js';
import { Resources } from './resources.js';
import { SimNotFoundError, SimOptionError, SimRefusedError } from './simErrors.js';
import { masterStateJson, type MasterState } from './stateJson.js';
import { ZkMasterContender, type Leadership } from './zkMasterContender.js';

export type { SimTaskView } from './agent.js';
export type { MasterState } from './stateJson.js';

export interface SimulatorOptions {
  workDir: string;
  host?: string;
  port?: number;
  agents?: number;
  agentResources?: string;
  /** The k-th entry applies to agent k (0-based), e.g. 'zone:a;rack:1'. */
  agentAttributes?: string[];
  /** Indexes of agents with posix isolation only (no volumes). */
  posixOnlyAgents?: number[];
  /**
   * The k-th entry is agent k's hostname (default: `host`). Mesos matches a
   * maintenance MachineID to agents by hostname and ip, and every simulated
   * agent's ip is `host`; distinct hostnames make distinct machines.
   */
  agentHostnames?: string[];
  /** An executor that has not subscribed by then is destroyed (Mesos: 1 min). */
  executorRegistrationTimeoutMs?: number;
  /** Time between SHUTDOWN and SIGKILL for executors without ExecutorInfo.shutdown_grace_period (Mesos: 5 s). */
  executorShutdownGracePeriodMs?: number;
  allocationIntervalMs?: number;
  /** Undefined: offers never time out, as in Mesos. */
  offerTimeoutMs?: number;
  heartbeatIntervalSeconds?: number;
  agentPingTimeoutMs?: number;
  maxAgentPingTimeouts?: number;
  /** First retry interval of unacknowledged status updates (Mesos: 10 s, doubling up to 10 min). */
  statusUpdateRetryMs?: number;
  /** Scale benchmarks only: tasks go RUNNING without a process and stay until killed. */
  processless?: boolean;
  /** zk://host:port,.../path: take part in master election as a json.info_ node. */
  zk?: string;
  /** When set, /api/v1/scheduler requires HTTP basic authentication. */
  credentials?: Credential[];
  logger?: Logger;
}

const DEFAULT_RESOURCES = 'cpus:4;mem:8192;disk:65536;ports:[31000-31999]';
const EXECUTOR_HEARTBEAT_INTERVAL_SECONDS = 30 * 60;
const STATUS_UPDATE_MAX_RETRY_MS = 10 * 60 * 1000;
const AGENT_REREGISTER_TIMEOUT_MS = 10 * 60 * 1000;

interface ResolvedOptions {
  workDir: string;
  host: string;
  port: number;
  agentCount: number;
  resources: Resources;
  attributes: Attribute[][];
  posixOnly: Set<number>;
  hostnames: string[];
  executorRegistrationTimeoutMs: number;
  executorShutdownGracePeriodMs: number;
  allocationIntervalMs: number;
  offerTimeoutMs: number | undefined;
  heartbeatIntervalSeconds: number;
  agentPingTimeoutMs: number;
  maxAgentPingTimeouts: number;
  statusUpdateRetryMs: number;
  processless: boolean;
  zk: string | undefined;
  credentials: Credential[] | undefined;
  logger: Logger;
}

interface AgentSlot {
  agent: SimAgent;
  link: AgentLink;
}

export class Simulator {
  readonly url: string;
  readonly port: number;

  private master: Master;
  private readonly registry: MasterRegistry = {
    admitted: new Map(),
    unreachable: new Map(),
    gone: new Map(),
    draining: new Map(),
    deactivated: new Set(),
    maintenance: new MaintenanceRegistry(),
  };
  private readonly slots = new Map<string, AgentSlot>();
  private zk: ZkMasterContender | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly options: ResolvedOptions,
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    port: number,
  ) {
    this.port = port;
    this.url = `http://${options.host}:${port}`;
    this.master = this.newMaster(new MasterIds(), false);
  }

  static async start(options: SimulatorOptions): Promise<Simulator> {
    const resolved = resolveOptions(options);
    const log = resolved.logger.child({ component: 'simulator' });
    let sim: Simulator | undefined;
    const app = createHttpApp({
      master: () => sim!.master,
      state: () => sim!.state(),
      controls: {
        task: (id) => sim!.task(id),
        partitionAgent: (id) => sim!.partitionAgent(id),
        healAgent: (id) => sim!.healAgent(id),
        stopAgent: (id) => sim!.stopAgent(id),
        startAgent: (id) => sim!.startAgent(id),
        restartMaster: () => sim!.restartMaster(),
        crashTask: (id) => sim!.crashTask(id),
        pauseStreams: () => sim!.pauseStreams(),
        resumeStreams: () => sim!.resumeStreams(),
      },
      executors: {
        agentByProcessId: (processId) => [...sim!.slots.values()].find((s) => s.agent.info.processId === processId)?.agent,
        agentsWithExecutor: (frameworkId, executorId) =>
          [...sim!.slots.values()].map((s) => s.agent).filter((a) => a.hasExecutor(frameworkId, executorId)),
      },
      credentials: resolved.credentials,
      logger: resolved.logger.child({ component: 'http' }),
    });
    const server = createServer(app.callback());
    const sockets = new Set<Socket>();
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    const port = await new Promise<number>((resolvePort, reject) => {
      server.once('error', (err) => reject(new SimOptionError(`cannot listen on ${resolved.host}:${resolved.port}: ${err.message}`)));
      server.listen(resolved.port, resolved.host, () => {
        const address = server.address();
        resolvePort(typeof address === 'object' && address !== null ? address.port : resolved.port);
      });
    });
    sim = new Simulator(resolved, server, sockets, port);
    try {
      sim.createAgents();
      sim.master.start();
      if (resolved.zk !== undefined) {
        sim.master.elected = false;
        sim.master.leader = undefined;
        sim.zk = await ZkMasterContender.start(resolved.zk, sim.master.info, resolved.logger, (l) => sim!.leadershipChanged(l));
      }
    } catch (err) {
      await sim.stop();
      throw err;
    }
    log.info({ url: sim.url, agents: resolved.agentCount, masterId: sim.master.id }, 'simulator started');
    return sim;
  }

  agentIds(): string[] {
    return [...this.slots.keys()];
  }

  /** The agent stops answering the master; its tasks keep running. */
  async partitionAgent(agentId: string): Promise<void> {
    this.slot(agentId).link.partition();
  }

  /** The partition ends: held messages flow, or the agent re-registers if the master gave up on it. */
  async healAgent(agentId: string): Promise<void> {
    const { agent, link } = this.slot(agentId);
    if (link.state !== 'partitioned') return;
    const registered = this.master.isAgentRegistered(agentId);
    link.heal(registered);
    if (!registered) this.master.reregisterAgent(agent.info, agent.report());
    agent.resendPendingUpdates();
  }

  /** The agent's host crashes: its task processes die and the master sees the connection close. */
  async stopAgent(agentId: string): Promise<void> {
    const { agent, link } = this.slot(agentId);
    if (link.state === 'down') return;
    link.down();
    await agent.stop();
    this.master.agentExited(agentId);
  }

  /** The crashed host is back: the same agent (id, directory) registers again, without tasks. */
  async startAgent(agentId: string): Promise<void> {
    const { agent, link } = this.slot(agentId);
    if (link.state !== 'down') return;
    link.up();
    agent.start();
    this.master.reregisterAgent(agent.info, agent.report());
  }

  /** A master failover: every stream drops, a new master id, agents re-register with their tasks. */
  async restartMaster(): Promise<void> {
    const old = this.master;
    old.shutdown();
    for (const { link } of this.slots.values()) link.dropHeld();
    this.master = this.newMaster(new MasterIds(), true);
    this.master.start();
    if (this.zk !== undefined) {
      this.master.elected = false;
      this.master.leader = undefined;
      await this.zk.announce(this.master.info);
    }
    for (const { agent, link } of this.slots.values()) {
      if (link.state !== 'up') continue;
      this.master.reregisterAgent(agent.info, agent.report());
      agent.resendPendingUpdates();
    }
    this.options.logger.info({ masterId: this.master.id, previousMasterId: old.id }, 'master restarted');
  }

  /** The task's process dies by SIGKILL. */
  async crashTask(taskId: string): Promise<void> {
    for (const { agent } of this.slots.values()) if (agent.crashTask(taskId)) return;
    throw new SimNotFoundError(`no running task '${taskId}' on any agent of this simulator`);
  }

  /** Events stop being written to the streams open now (heartbeats too); connections stay open. */
  async pauseStreams(): Promise<void> {
    this.master.pauseStreams();
  }

  async resumeStreams(): Promise<void> {
    this.master.resumeStreams();
  }

  /** DRAIN_AGENT: the agent's tasks are killed (grace capped by max_grace_period); DRAINED, or gone with mark_gone, once they are. */
  async drainAgent(agentId: string, config: DrainConfig = {}): Promise<void> {
    this.operatorAnswer(this.master.drainAgent(agentId, config.max_grace_period, config.mark_gone ?? false), agentId);
  }

  /** DEACTIVATE_AGENT: no more offers from the agent; its tasks keep running. */
  async deactivateAgent(agentId: string): Promise<void> {
    this.operatorAnswer(this.master.deactivateAgent(agentId), agentId);
  }

  /** REACTIVATE_AGENT: a deactivated or DRAINED agent is offered again. */
  async reactivateAgent(agentId: string): Promise<void> {
    this.operatorAnswer(this.master.reactivateAgent(agentId), agentId);
  }

  /** MARK_AGENT_GONE: the agent is shut down for good; its tasks become TASK_GONE_BY_OPERATOR. */
  async markAgentGone(agentId: string): Promise<void> {
    this.operatorAnswer(this.master.markAgentGone(agentId), agentId);
  }

  /** POST /maintenance/schedule: replaces the maintenance schedule (an empty one cancels it). */
  async scheduleMaintenance(schedule: MaintenanceSchedule): Promise<void> {
    this.operatorAnswer(this.master.updateMaintenanceSchedule(schedule));
  }

  /** POST /machine/down: the machines' agents are shut down and removed; their tasks become TASK_LOST. */
  async machineDown(machines: MachineID[]): Promise<void> {
    this.operatorAnswer(this.master.startMaintenance(machines));
  }

  /** POST /machine/up: the machines leave maintenance; their agents may register again. */
  async machineUp(machines: MachineID[]): Promise<void> {
    this.operatorAnswer(this.master.stopMaintenance(machines));
  }

  maintenanceSchedule(): MaintenanceSchedule {
    return this.master.maintenanceSchedule();
  }

  maintenanceStatus(): MaintenanceClusterStatus {
    return this.master.maintenanceStatus();
  }

  /** The MachineID a maintenance schedule must name to reach an agent: its hostname and the simulator's ip. */
  agentMachine(agentId: string): MachineID {
    return agentMachine(this.slot(agentId).agent.info.hostname, this.options.host);
  }

  /** The master's /state document. */
  state(): MasterState {
    return masterStateJson(this.master.view(), this.port);
  }

  /** Where and how a task runs, from its agent's point of view. */
  task(taskId: string): SimTaskView | undefined {
    let found: SimTaskView | undefined;
    for (const { agent } of this.slots.values()) {
      const view = agent.findTask(taskId);
      if (view === undefined) continue;
      if (found === undefined || (!isDone(view.state) && isDone(found.state))) found = view;
    }
    return found;
  }

  /** Closes the server, kills every task process, leaves ZooKeeper; safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.master.shutdown();
    const closed = new Promise<void>((resolveClose) => this.server.close(() => resolveClose()));
    for (const socket of this.sockets) socket.destroy();
    const errors: unknown[] = [];
    if (this.zk !== undefined) {
      try {
        await this.zk.stop();
      } catch (err) {
        errors.push(err);
      }
    }
    for (const { link } of this.slots.values()) link.down();
    await Promise.all([...this.slots.values()].map(({ agent }) => agent.stop()));
    await closed;
    if (errors.length > 0) this.options.logger.warn({ err: errors[0] }, 'could not leave ZooKeeper cleanly');
  }

  private newMaster(ids: MasterIds, recovering: boolean): Master {
    const o = this.options;
    return new Master({
      ids,
      host: o.host,
      port: this.port,
      registry: this.registry,
      recovering,
      allocationIntervalMs: o.allocationIntervalMs,
      offerTimeoutMs: o.offerTimeoutMs,
      heartbeatIntervalSeconds: o.heartbeatIntervalSeconds,
      agentPingTimeoutMs: o.agentPingTimeoutMs,
      maxAgentPingTimeouts: o.maxAgentPingTimeouts,
      agentReregisterTimeoutMs: AGENT_REREGISTER_TIMEOUT_MS,
      logger: o.logger,
      sendToAgent: (agentId, message) => this.slots.get(agentId)?.link.toAgent(message),
      agentAnswersPings: (agentId) => this.slots.get(agentId)?.link.answersPings() ?? false,
      resendPendingUpdates: (frameworkId) => {
        for (const { agent, link } of this.slots.values()) if (link.state === 'up') agent.resendPendingUpdates(frameworkId);
      },
    });
  }

  private createAgents(): void {
    const o = this.options;
    for (let k = 0; k < o.agentCount; k++) {
      const workDir = join(o.workDir, `agent-${k}`);
      const datasets = join(workDir, 'datasets');
      mkdirSync(datasets, { recursive: true });
      const given = o.attributes[k] ?? [];
      const attributes: Attribute[] = given.some((a) => a.name === 'ferry_root')
        ? given
        : [...given, { name: 'ferry_root', type: 'TEXT', text: { value: datasets } }];
      const info: AgentInfo = {
        id: this.master.ids.nextAgentId(),
        index: k,
        hostname: o.hostnames[k] ?? o.host,
        processId: `slave(${k + 1})`,
        resources: o.resources,
        attributes,
      };
      let agent: SimAgent | undefined;
      const link = new AgentLink({
        deliverToAgent: (message) => this.safely({ agentId: info.id, message: message.kind }, () => agent!.receive(message)),
        deliverToMaster: (message) => this.safely({ agentId: info.id, message: message.kind }, () => this.master.receiveFromAgent(info.id, message)),
      });
      agent = new SimAgent({
        info,
        workDir,
        isolation: o.posixOnly.has(k) ? 'posix' : 'linux',
        processless: o.processless,
        host: o.host,
        port: this.port,
        statusUpdateRetryMs: o.statusUpdateRetryMs,
        statusUpdateMaxRetryMs: STATUS_UPDATE_MAX_RETRY_MS,
        executorRegistrationTimeoutMs: o.executorRegistrationTimeoutMs,
        executorShutdownGraceMs: o.executorShutdownGracePeriodMs,
        executorHeartbeatIntervalSeconds: EXECUTOR_HEARTBEAT_INTERVAL_SECONDS,
        logger: o.logger,
        sendToMaster: (message) => link.toMaster(message),
        shutdown: (message) => {
          this.agentShutDown(info.id, message).catch((err: unknown) => o.logger.error({ err, agentId: info.id }, 'agent did not shut down cleanly'));
        },
      });
      this.slots.set(info.id, { agent, link });
      this.master.registerAgent(info);
    }
  }

  /** Runs a message delivery so that a fault in handling one message is logged, never fatal to the process. */
  private safely(context: Record<string, string>, deliver: () => void): void {
    try {
      deliver();
    } catch (err) {
      this.options.logger.error({ err, ...context }, 'internal error while handling a message between master and agent');
    }
  }

  private leadershipChanged(leadership: Leadership): void {
    const master = this.master;
    const wasElected = master.elected;
    master.elected = leadership.elected;
    master.leader = leadership.leader;
    if (leadership.elected && !wasElected) {
      master.electedTime = Date.now() / 1000;
      this.options.logger.info({ masterId: master.id }, 'elected leading master');
      master.scheduleAllocation();
    }
  }

  /** An operator request's refusal becomes an error the caller can act on. */
  private operatorAnswer(answer: OperatorAnswer, agentId?: string): void {
    if (answer.status === 200) return;
    if (agentId !== undefined && (answer.status === 404 || answer.body === 'Unknown agent')) {
      throw new SimNotFoundError(`no agent '${agentId}' known to the master (${answer.body}); agents: ${this.agentIds().join(', ')}`);
    }
    throw new SimRefusedError(answer.body, answer.status);
  }

  /** The master's ShutdownMessage reached the agent: its process exits, killing its executors. */
  private async agentShutDown(agentId: string, message: string): Promise<void> {
    const { agent, link } = this.slot(agentId);
    if (link.state === 'down') return;
    this.options.logger.info({ agentId, reason: message }, 'agent shut down by the master');
    link.down();
    await agent.stop();
  }

  private slot(agentId: string): AgentSlot {
    const slot = this.slots.get(agentId);
    if (slot === undefined) throw new SimNotFoundError(`no agent '${agentId}' in this simulator (agents: ${this.agentIds().join(', ')})`);
    return slot;
  }
}

function isDone(state: string): boolean {
  return ['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR'].includes(state);
}

function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const positive = (name: string, value: number | undefined, fallback: number): number => {
    const v = value ?? fallback;
    if (!Number.isFinite(v) || v <= 0) throw new SimOptionError(`${name} must be a positive number, got ${value}`);
    return v;
  };
  const agentCount = options.agents ?? 3;
  if (!Number.isInteger(agentCount) || agentCount < 0) throw new SimOptionError(`agents must be a whole number of 0 or more, got ${options.agents}`);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SimOptionError(`port must be 0 (any free port) to 65535, got ${options.port}`);
  const resources = Resources.parse(options.agentResources ?? DEFAULT_RESOURCES);
  if (typeof resources === 'string') throw new SimOptionError(`agentResources: ${resources}`);
  const attributes = (options.agentAttributes ?? []).map((text, k) => {
    const parsed = parseAttributes(text);
    if (typeof parsed === 'string') throw new SimOptionError(`agentAttributes[${k}]: ${parsed}`);
    return parsed;
  });
  if (attributes.length > agentCount) {
    throw new SimOptionError(`agentAttributes has ${attributes.length} entries for ${agentCount} agents`);
  }
  const posixOnly = new Set(options.posixOnlyAgents ?? []);
  for (const k of posixOnly) {
    if (!Number.isInteger(k) || k < 0 || k >= agentCount) {
      throw new SimOptionError(`posixOnlyAgents: ${k} is not the index of an agent (0 to ${agentCount - 1})`);
    }
  }
  const hostnames = options.agentHostnames ?? [];
  if (hostnames.length > agentCount) throw new SimOptionError(`agentHostnames has ${hostnames.length} entries for ${agentCount} agents`);
  hostnames.forEach((hostname, k) => {
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(hostname)) {
      throw new SimOptionError(`agentHostnames[${k}]: '${hostname}' is not a hostname (letters, digits, dots and dashes)`);
    }
  });
  const maxPings = options.maxAgentPingTimeouts ?? 3;
  if (!Number.isInteger(maxPings) || maxPings < 1) throw new SimOptionError(`maxAgentPingTimeouts must be a whole number of 1 or more, got ${maxPings}`);
  if (options.offerTimeoutMs !== undefined) positive('offerTimeoutMs', options.offerTimeoutMs, 0);
  if (options.credentials !== undefined && options.credentials.length === 0) {
    throw new SimOptionError('credentials is empty: give at least one principal, or leave authentication off');
  }
  return {
    workDir: resolve(options.workDir),
    host: options.host ?? '127.0.0.1',
    port,
    agentCount,
    resources,
    attributes,
    posixOnly,
    hostnames,
    executorRegistrationTimeoutMs: positive('executorRegistrationTimeoutMs', options.executorRegistrationTimeoutMs, 60_000),
    executorShutdownGracePeriodMs: positive('executorShutdownGracePeriodMs', options.executorShutdownGracePeriodMs, 5_000),
    allocationIntervalMs: positive('allocationIntervalMs', options.allocationIntervalMs, 1000),
    offerTimeoutMs: options.offerTimeoutMs,
    heartbeatIntervalSeconds: positive('heartbeatIntervalSeconds', options.heartbeatIntervalSeconds, 15),
    agentPingTimeoutMs: positive('agentPingTimeoutMs', options.agentPingTimeoutMs, 1000),
    maxAgentPingTimeouts: maxPings,
    statusUpdateRetryMs: positive('statusUpdateRetryMs', options.statusUpdateRetryMs, 10_000),
    processless: options.processless ?? false,
    zk: options.zk,
    credentials: options.credentials,
    logger: options.logger ?? silentLogger(),
  };
}
