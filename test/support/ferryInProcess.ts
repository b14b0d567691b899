// A whole Ferry in the test process: the simulator, a scheduler service on the
// embedded file store (local-mode leadership) and the REST API on a real port.
// For API and scheduler behaviour tests that need no process boundaries.

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiDependencies } from '../../src/api/apiContext.js';
import { buildApi, listenPending } from '../../src/api/apiServer.js';
import { FerryMetrics } from '../../src/api/ferryMetrics.js';
import { ARTIFACT_PATH } from '../../src/api/artifactRoutes.js';
import type { ControlPlane } from '../../src/backends/backend.js';
import type { BackendName } from '../../src/state/model.js';
import { parseAppDefinition } from '../../src/apps/appDefinition.js';
import { taskIdFor } from '../../src/apps/taskId.js';
import { createLogger, silentLogger } from '../../src/common/log.js';
import { SoleLeadership } from '../../src/coordination/soleLeadership.js';
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from '../../src/scheduler/schedulerConfig.js';
import { SchedulerService } from '../../src/scheduler/schedulerService.js';
import { FileStateStore } from '../../src/state/fileStateStore.js';
import type { AppRecord } from '../../src/state/model.js';
import { Simulator, type SimulatorOptions } from '../../src/sim/simulator.js';
import { api, waitFor } from './ferryProcess.js';

/**
 * Agent resources with a port range of their own: test files run in parallel,
 * each with a simulator on this one host, and a copy receiver listening on a
 * port from one simulator's offer must not collide with another's.
 */
export function simAgentResources(): string {
  const base = 10_000 + 1000 * Math.floor(Math.random() * 20);
  return `cpus:4;mem:8192;disk:65536;ports:[${base}-${base + 999}]`;
}

export interface InProcessFerry {
  sim: Simulator;
  service: SchedulerService;
  api: string;
  dir: string;
  call<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startInProcessFerry(
  t: Teardown,
  options: {
    sim?: Partial<SimulatorOptions>;
    config?: Partial<SchedulerConfig>;
    controlPlanes?: Map<BackendName, ControlPlane>;
    /** API options: tokens, the event heartbeat, the configured backends */
    api?: Partial<Pick<ApiDependencies, 'auth' | 'eventHeartbeatMs' | 'backends'>>;
  } = {},
): Promise<InProcessFerry> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-api-'));
  const sim = await Simulator.start({
    ...(process.env['FERRY_TEST_LOG'] ? { logger: createLogger({ name: 'sim', level: process.env['FERRY_TEST_LOG'] }) } : {}),
    workDir: join(dir, 'sim'),
    agents: 3,
    agentResources: simAgentResources(), allocationIntervalMs: 100, heartbeatIntervalSeconds: 1, statusUpdateRetryMs: 1000, ...options.sim });
  // FERRY_TEST_LOG=debug|info shows the scheduler's and simulator's logs while debugging a test
  const logger = process.env['FERRY_TEST_LOG'] ? createLogger({ name: 'ferry-test', level: process.env['FERRY_TEST_LOG'] }) : silentLogger();
  const { server, port, handle } = await listenPending('127.0.0.1', 0);
  const selfApi = `127.0.0.1:${port}`;
  const stateDir = join(dir, 'state');
  const leadership = new SoleLeadership({
    dir: stateDir,
    candidate: { id: randomUUID(), api: selfApi, hostname: 'localhost', pid: process.pid, version: 'test', startedAt: new Date().toISOString() },
    logger,
  });
  const store = new FileStateStore({ dir: stateDir, leadership, logger });
  const parseApp = (record: AppRecord) => {
    const parsed = parseAppDefinition(record.definition);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    return parsed.spec;
  };
  const metrics = new FerryMetrics();
  const service = new SchedulerService({
    store,
    leadership,
    master: `127.0.0.1:${sim.port}`,
    framework: { name: 'ferry-test', role: '*', user: 'root', hostname: 'localhost', failoverTimeoutSeconds: 3600 },
    config: {
      ...DEFAULT_SCHEDULER_CONFIG,
      reconcileInitialSeconds: 1,
      shortRefuseSeconds: 1,
      reviveRepeatSeconds: 2,
      artifactUrl: `http://${selfApi}${ARTIFACT_PATH}`,
      ...options.config,
    },
    logger,
    parseApp,
    newTaskId: (appId, instance) => taskIdFor(appId, instance, randomUUID()),
    newId: randomUUID,
    ...(options.controlPlanes !== undefined ? { controlPlanes: options.controlPlanes } : {}),
    tickMs: 200,
    metrics: metrics.sink,
  });
  handle(buildApi({ service, store, leadership, parseApp, storeHealthy: () => true, logger, selfApi, config: () => service.config, metrics, ...options.api }).callback());
  await service.start();
  t.teardown(async () => {
    await service.stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await store.close();
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await waitFor(() => service.isSubscribed, 10_000, () => 'the scheduler never subscribed');
  return {
    sim,
    service,
    api: selfApi,
    dir,
    async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      if (Object.keys(headers).length === 0) return api<T>(selfApi, method, path, body);
      const res = await fetch(`http://${selfApi}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
    },
  };
}
