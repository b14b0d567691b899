// `ferry scheduler`: one Ferry scheduler instance. It joins the leader election
// (ZooKeeper with --zk, or a directory lock with --state file:DIR), serves the
// API (standbys answer reads and forward writes), and while leading subscribes
// to Mesos and runs the scheduler. Flags follow other Mesos frameworks, with
// environment fallbacks (MESOS_MASTER, FERRY_ZK, ...).

import { Command, InvalidArgumentError, Option } from 'commander';
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { buildApi, listenPending } from '../../api/apiServer.js';
import type { ApiTls } from '../../api/apiContext.js';
import { TokenTable } from '../../api/apiTokens.js';
import { ARTIFACT_PATH } from '../../api/artifactRoutes.js';
import { FerryMetrics } from '../../api/ferryMetrics.js';
import type { ControlPlane } from '../../backends/backend.js';
import { createControlPlane } from '../../backends/controlPlanes.js';
import type { Logger } from '../../common/log.js';
import { tuneHeapForOfferRounds } from '../../common/heapTuning.js';
import type { BackendName } from '../../state/model.js';
import { parseAppDefinition } from '../../apps/appDefinition.js';
import { taskIdFor } from '../../apps/taskId.js';
import { createLogger } from '../../common/log.js';
import { packageRoot } from '../../common/packageRoot.js';
import type { CandidateInfo, Leadership } from '../../coordination/leadership.js';
import { LeadershipLifecycle } from '../../coordination/leadershipLifecycle.js';
import { SoleLeadership } from '../../coordination/soleLeadership.js';
import type { ZkSessionState } from '../../coordination/zkClient.js';
import { parseZkLocation } from '../../coordination/zkLocation.js';
import { JSON_MEDIA, PROTOBUF } from '../../mesos/codec.js';
import { parseMasterSpec } from '../../mesos/masterAddress.js';
import { DEFAULT_SCHEDULER_CONFIG, type DataViaSetting } from '../../scheduler/schedulerConfig.js';
import { SchedulerService } from '../../scheduler/schedulerService.js';
import { FileStateStore } from '../../state/fileStateStore.js';
import type { AppRecord } from '../../state/model.js';
import { CorruptStateError, type StateStore } from '../../state/stateStore.js';
import { ZkStateStore } from '../../state/zkStateStore.js';

export function ferryVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

function hostPort(value: string): string {
  if (!/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/.test(value)) throw new InvalidArgumentError(`"${value}" is not HOST:PORT`);
  return value;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number`);
  return n;
}

function masterSpec(value: string): string {
  try {
    parseMasterSpec(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

export interface SchedulerFlags {
  master: string;
  zk?: string;
  state?: string;
  api: string;
  advertiseApi?: string;
  name: string;
  role: string;
  user: string;
  principal?: string;
  secretFile?: string;
  webuiUrl?: string;
  failoverTimeout: number;
  zkSessionTimeout: number;
  media: 'protobuf' | 'json';
  defaultFerryRoot: string;
  dataVia: DataViaSetting;
  hostname: string;
  logLevel: string;
  cluster?: string;
  loopbackStore?: string;
  ebsRegion?: string;
  ebsEndpoint?: string;
  ebsZone?: string;
  defaultMountRoot: string;
  nodeCommand: string;
  agentLostTimeout: number;
  declineRefuseSeconds: number;
  waitingRefuseSeconds: number;
  authTokens?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export function schedulerCommand(): Command {
  return new Command('scheduler')
    .description('run a Ferry scheduler instance (leader or standby)')
    .addOption(new Option('--master <master>', 'Mesos master: host:port, http://host:port, a list, or zk://hosts/mesos').env('MESOS_MASTER').argParser(masterSpec).makeOptionMandatory())
    .addOption(new Option('--zk <url>', 'ZooKeeper for state and leader election: zk://hosts/ferry').env('FERRY_ZK').conflicts('state'))
    .addOption(new Option('--state <spec>', 'embedded file store instead of ZooKeeper: file:DIR').env('FERRY_STATE'))
    .addOption(new Option('--api <host:port>', 'where the REST API and UI listen').env('FERRY_API').default('127.0.0.1:8080').argParser(hostPort))
    .addOption(new Option('--advertise-api <host:port>', 'the API address other instances and clients use (default: --api)').env('FERRY_ADVERTISE_API').argParser(hostPort))
    .addOption(new Option('--name <name>', 'FrameworkInfo.name').env('FERRY_NAME').default('ferry'))
    .addOption(new Option('--role <role>', 'the Mesos role to register with').env('FERRY_ROLE').default('*'))
    .addOption(new Option('--user <user>', 'the user tasks run as').env('FERRY_USER').default(os.userInfo().username))
    .addOption(new Option('--principal <principal>', 'Mesos framework principal').env('FERRY_PRINCIPAL'))
    .addOption(new Option('--secret-file <file>', 'file holding the framework secret').env('FERRY_SECRET_FILE'))
    .addOption(new Option('--webui-url <url>', 'FrameworkInfo.webui_url (default: the UI at --advertise-api)').env('FERRY_WEBUI_URL'))
    .addOption(new Option('--failover-timeout <seconds>', 'how long Mesos keeps tasks of a disconnected Ferry').env('FERRY_FAILOVER_TIMEOUT').default(604800).argParser(positiveNumber))
    .addOption(new Option('--zk-session-timeout <ms>', 'ZooKeeper session timeout').env('FERRY_ZK_SESSION_TIMEOUT').default(10000).argParser(positiveNumber))
    .addOption(new Option('--media <type>', 'wire format to the master').choices(['protobuf', 'json']).default('protobuf'))
    .addOption(new Option('--default-ferry-root <dir>', 'where datasets live on agents without a ferry_root attribute').env('FERRY_DEFAULT_ROOT').default(DEFAULT_SCHEDULER_CONFIG.defaultFerryRoot))
    .addOption(new Option('--data-via <mode>', 'how tasks reach datasets').choices(['auto', 'volume', 'env']).default('auto'))
    .addOption(new Option('--hostname <name>', 'FrameworkInfo.hostname').default(os.hostname()))
    .addOption(new Option('--cluster <name>', 'the name backends tag volumes with (default: --name)').env('FERRY_CLUSTER'))
    .addOption(new Option('--loopback-store <dir>', 'enable the loopback backend with its image store (reachable by the agents of this machine)').env('FERRY_LOOPBACK_STORE'))
    .addOption(new Option('--ebs-region <region>', 'enable the EBS backend in this AWS region').env('FERRY_EBS_REGION'))
    .addOption(new Option('--ebs-endpoint <url>', 'an EC2-compatible endpoint instead of AWS\'s own').env('FERRY_EBS_ENDPOINT'))
    .addOption(new Option('--ebs-zone <zone>', 'the availability zone of new volumes when the agent names none').env('FERRY_EBS_ZONE'))
    .addOption(new Option('--default-mount-root <dir>', 'where block volumes are mounted on agents without a ferry_mount_root attribute').env('FERRY_DEFAULT_MOUNT_ROOT').default(DEFAULT_SCHEDULER_CONFIG.defaultMountRoot))
    .addOption(new Option('--node-command <cmd>', 'how agents start Node for the node executor').env('FERRY_NODE_COMMAND').default('node'))
    .addOption(new Option('--agent-lost-timeout <seconds>', 'a task unreachable this long: block volumes are fenced and moved').env('FERRY_AGENT_LOST_TIMEOUT').default(DEFAULT_SCHEDULER_CONFIG.agentLostTimeoutSeconds).argParser(positiveNumber))
    .addOption(new Option('--decline-refuse-seconds <seconds>', 'offers Ferry has no use for stay away this long (Filters.refuse_seconds)').env('FERRY_DECLINE_REFUSE_SECONDS').default(DEFAULT_SCHEDULER_CONFIG.declineRefuseSeconds).argParser(positiveNumber))
    .addOption(new Option('--waiting-refuse-seconds <seconds>', 'offers declined while an instance still waits for one stay away this long').env('FERRY_WAITING_REFUSE_SECONDS').default(DEFAULT_SCHEDULER_CONFIG.shortRefuseSeconds).argParser(positiveNumber))
    .addOption(new Option('--auth-tokens <file>', 'require bearer tokens on the API: a file of "TOKEN ROLE" lines (role admin or read-only); or set FERRY_AUTH_TOKENS="tok:admin,tok2:read-only"').env('FERRY_AUTH_TOKENS_FILE'))
    .addOption(new Option('--tls-cert <file>', 'serve the API over https with this PEM certificate (chain); needs --tls-key').env('FERRY_TLS_CERT'))
    .addOption(new Option('--tls-key <file>', 'the PEM private key of --tls-cert').env('FERRY_TLS_KEY'))
    .addOption(new Option('--log-level <level>', 'log level').env('FERRY_LOG_LEVEL').default('info'))
    .action(async (flags: SchedulerFlags) => {
      tuneHeapForOfferRounds();
      const running = await runScheduler(flags);
      const shutdown = (): void => {
        void running.stop().then(() => process.exit(process.exitCode ?? 0));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      running.service.on('change', (change) => {
        if (change.kind === 'role' && change.role === 'stopped' && process.exitCode === 1) shutdown();
      });
    });
}

export interface RunningScheduler {
  api: string;
  service: SchedulerService;
  stop(): Promise<void>;
}

export async function runScheduler(flags: SchedulerFlags): Promise<RunningScheduler> {
  const logger = createLogger({ name: 'ferry', level: flags.logLevel });
  if ((flags.zk === undefined) === (flags.state === undefined)) {
    throw new InvalidArgumentError('give exactly one of --zk zk://hosts/ferry or --state file:DIR');
  }
  const secret = flags.secretFile === undefined ? undefined : readFileSync(flags.secretFile, 'utf8').trim();
  if (flags.secretFile !== undefined && flags.principal === undefined) throw new InvalidArgumentError('--secret-file needs --principal');

  const auth = apiTokens(flags, logger);
  const tls = apiTls(flags);
  const scheme = tls === undefined ? 'http' : 'https';
  const [apiHost, apiPortText] = splitHostPort(flags.api);
  const parseApp = (record: AppRecord) => {
    const parsed = parseAppDefinition(record.definition);
    if (!parsed.ok) {
      throw new CorruptStateError(`app ${record.id}`, `its stored definition no longer parses: ${parsed.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
    }
    return parsed.spec;
  };

  // listen first (port 0 gets a real port) so the candidate can publish its address; answer 503 until ready
  const { server, port, handle } = await listenPending(apiHost, apiPortText, tls);
  const advertise = flags.advertiseApi ?? `${apiHost === '0.0.0.0' || apiHost === '::' ? os.hostname() : apiHost}:${port}`;
  const candidate: CandidateInfo = {
    id: randomUUID(),
    api: advertise,
    hostname: os.hostname(),
    pid: process.pid,
    version: ferryVersion(),
    startedAt: new Date().toISOString(),
  };

  let leadership: Leadership;
  let store: StateStore;
  let storeHealthy: () => boolean;
  let zkSession: (() => ZkSessionState | undefined) | undefined;
  if (flags.zk !== undefined) {
    const location = parseZkLocation(flags.zk);
    const lifecycle = new LeadershipLifecycle({ location, sessionTimeoutMs: flags.zkSessionTimeout, candidate, logger });
    leadership = lifecycle;
    store = new ZkStateStore({ location, terms: lifecycle, logger });
    storeHealthy = () => lifecycle.readSession()?.state === 'connected';
    zkSession = () => lifecycle.readSession()?.state;
  } else {
    const spec = flags.state!;
    if (!spec.startsWith('file:') || spec.length <= 5) throw new InvalidArgumentError(`--state "${spec}" is not file:DIR`);
    const sole = new SoleLeadership({ dir: spec.slice(5), candidate, logger });
    leadership = sole;
    store = new FileStateStore({ dir: spec.slice(5), leadership: sole, logger });
    storeHealthy = () => true;
  }

  const metrics = new FerryMetrics();
  const controlPlanes = controlPlanesFor(flags, logger);
  const service = new SchedulerService({
    store,
    leadership,
    master: flags.master,
    framework: {
      name: flags.name,
      role: flags.role,
      user: flags.user,
      hostname: flags.hostname,
      failoverTimeoutSeconds: flags.failoverTimeout,
      webuiUrl: flags.webuiUrl ?? `${scheme}://${advertise}/ui/`,
      ...(flags.principal !== undefined ? { principal: flags.principal } : {}),
      ...(secret !== undefined ? { secret } : {}),
    },
    config: {
      ...DEFAULT_SCHEDULER_CONFIG,
      defaultFerryRoot: flags.defaultFerryRoot,
      dataVia: flags.dataVia,
      defaultMountRoot: flags.defaultMountRoot,
      nodeCommand: flags.nodeCommand,
      agentLostTimeoutSeconds: flags.agentLostTimeout,
      declineRefuseSeconds: flags.declineRefuseSeconds,
      shortRefuseSeconds: flags.waitingRefuseSeconds,
      artifactUrl: `${scheme}://${advertise}${ARTIFACT_PATH}`,
      ...(flags.loopbackStore !== undefined ? { loopbackStore: flags.loopbackStore } : {}),
    },
    controlPlanes,
    metrics: metrics.sink,
    newId: randomUUID,
    media: flags.media === 'json' ? JSON_MEDIA : PROTOBUF,
    logger,
    parseApp,
    newTaskId: (appId, instance) => taskIdFor(appId, instance, randomUUID()),
  });
  handle(
    buildApi({
      service,
      store,
      leadership,
      parseApp,
      storeHealthy,
      logger,
      selfApi: advertise,
      config: () => service.config,
      metrics,
      backends: ['local', ...controlPlanes.keys()],
      ...(auth !== undefined ? { auth } : {}),
      ...(tls !== undefined ? { tls } : {}),
      ...(zkSession !== undefined ? { zkSession } : {}),
    }).callback(),
  );
  await service.start();
  logger.info({ api: `${scheme}://${advertise}`, store: store.describe(), master: flags.master, apiTokens: auth?.size ?? 0 }, 'Ferry scheduler started');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await service.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      logger.info('Ferry scheduler stopped');
    })());
  return { api: advertise, service, stop };
}

/** The API's bearer tokens from --auth-tokens FILE or FERRY_AUTH_TOKENS, or undefined when the API is open. */
export function apiTokens(flags: Pick<SchedulerFlags, 'authTokens'>, logger: Logger, env: NodeJS.ProcessEnv = process.env): TokenTable | undefined {
  const inline = env['FERRY_AUTH_TOKENS'];
  if (flags.authTokens !== undefined && inline !== undefined && inline !== '') {
    throw new InvalidArgumentError('give API tokens either with --auth-tokens FILE or in FERRY_AUTH_TOKENS, not both');
  }
  try {
    if (flags.authTokens !== undefined) {
      const mode = statSync(flags.authTokens).mode;
      if ((mode & 0o077) !== 0) logger.warn({ file: flags.authTokens, mode: (mode & 0o777).toString(8) }, 'the API token file is readable by other users; chmod 600 it');
      return TokenTable.fromFile(readFileSync(flags.authTokens, 'utf8'), flags.authTokens);
    }
    if (inline !== undefined && inline !== '') return TokenTable.fromEnvironment(inline);
  } catch (err) {
    throw new InvalidArgumentError(`cannot read the API tokens: ${(err as Error).message}`);
  }
  return undefined;
}

/** The API's TLS material from --tls-cert and --tls-key, or undefined for plain http. */
export function apiTls(flags: Pick<SchedulerFlags, 'tlsCert' | 'tlsKey'>): ApiTls | undefined {
  if (flags.tlsCert === undefined && flags.tlsKey === undefined) return undefined;
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) throw new InvalidArgumentError('--tls-cert and --tls-key go together: give both or neither');
  try {
    return { cert: readFileSync(flags.tlsCert, 'utf8'), key: readFileSync(flags.tlsKey, 'utf8') };
  } catch (err) {
    throw new InvalidArgumentError(`cannot read the API's TLS files: ${(err as Error).message}`);
  }
}

/** The block backends this Ferry drives, from its flags (the local backend needs no control plane). */
export function controlPlanesFor(flags: Pick<SchedulerFlags, 'cluster' | 'name' | 'loopbackStore' | 'ebsRegion' | 'ebsEndpoint' | 'ebsZone' | 'defaultMountRoot'>, logger: Logger): Map<BackendName, ControlPlane> {
  const cluster = flags.cluster ?? flags.name;
  const planes = new Map<BackendName, ControlPlane>();
  if (flags.loopbackStore !== undefined) {
    planes.set('loopback', createControlPlane(cluster, { backend: 'loopback', store: flags.loopbackStore, defaultMountRoot: flags.defaultMountRoot, fenceOnThisMachine: true }, logger));
  }
  if (flags.ebsRegion !== undefined) {
    planes.set(
      'ebs',
      createControlPlane(
        cluster,
        {
          backend: 'ebs',
          region: flags.ebsRegion,
          defaultMountRoot: flags.defaultMountRoot,
          ...(flags.ebsEndpoint !== undefined ? { endpoint: flags.ebsEndpoint } : {}),
          ...(flags.ebsZone !== undefined ? { defaultZone: flags.ebsZone } : {}),
        },
        logger,
      ),
    );
  }
  return planes;
}

function splitHostPort(value: string): [string, number] {
  const at = value.lastIndexOf(':');
  return [value.slice(0, at).replace(/^\[|\]$/g, ''), Number(value.slice(at + 1))];
}
