// A second Ferry instance beside an in-process one: same state directory, so
// the directory lock keeps it a standby, with its own API on a real port. For
// tests of what standbys answer themselves and what they forward or relay.

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ApiDependencies } from '../../src/api/apiContext.js';
import { buildApi, listenPending } from '../../src/api/apiServer.js';
import { parseAppDefinition } from '../../src/apps/appDefinition.js';
import { taskIdFor } from '../../src/apps/taskId.js';
import { silentLogger } from '../../src/common/log.js';
import { SoleLeadership } from '../../src/coordination/soleLeadership.js';
import { DEFAULT_SCHEDULER_CONFIG } from '../../src/scheduler/schedulerConfig.js';
import { SchedulerService } from '../../src/scheduler/schedulerService.js';
import { FileStateStore } from '../../src/state/fileStateStore.js';
import type { AppRecord } from '../../src/state/model.js';
import { waitFor } from '../support/ferryProcess.js';
import type { InProcessFerry } from '../support/ferryInProcess.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface Standby {
  api: string;
  service: SchedulerService;
}

export async function startStandby(t: Teardown, leader: InProcessFerry, api: Partial<Pick<ApiDependencies, 'auth' | 'eventHeartbeatMs'>> = {}): Promise<Standby> {
  const logger = silentLogger();
  const { server, port, handle } = await listenPending('127.0.0.1', 0);
  const selfApi = `127.0.0.1:${port}`;
  const dir = join(leader.dir, 'state');
  const leadership = new SoleLeadership({
    dir,
    candidate: { id: randomUUID(), api: selfApi, hostname: 'localhost', pid: process.pid, version: 'test', startedAt: new Date().toISOString() },
    logger,
    retryMs: 200,
  });
  const store = new FileStateStore({ dir, leadership, logger });
  const parseApp = (record: AppRecord) => {
    const parsed = parseAppDefinition(record.definition);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    return parsed.spec;
  };
  const service = new SchedulerService({
    store,
    leadership,
    master: `127.0.0.1:${leader.sim.port}`,
    framework: { name: 'ferry-test', role: '*', user: 'root', hostname: 'localhost', failoverTimeoutSeconds: 3600 },
    config: DEFAULT_SCHEDULER_CONFIG,
    logger,
    parseApp,
    newTaskId: (appId, instance) => taskIdFor(appId, instance, randomUUID()),
    newId: randomUUID,
  });
  handle(buildApi({ service, store, leadership, parseApp, storeHealthy: () => true, logger, selfApi, config: () => service.config, standbyViewTtlMs: 0, ...api }).callback());
  await service.start();
  t.teardown(async () => {
    await service.stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await store.close();
  });
  await waitFor(async () => (await leadership.leaderInfo())?.api === leader.api, 10_000, () => 'the standby never saw the leader');
  return { api: selfApi, service };
}
