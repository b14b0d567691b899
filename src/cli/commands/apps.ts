// `ferry apps deploy|ls|show|scale|restart|move|rm`: stateful apps given as
// Marathon app definitions. Flags and output only; Ferry's API validates the
// definitions and the scheduler decides where tasks run.

import { Command } from 'commander';
import { ApiRefusedError } from '../apiClient.js';
import type { AppDefinitionShape, AppDetailShape, AppSummaryShape, MoveShape } from '../apiShapes.js';
import { readAppFile } from '../appFile.js';
import { appPath, normalizeAppId, wholeNumber } from '../argumentParsers.js';
import { apiAction, withApiOptions, type ApiFlags } from '../clientCommand.js';
import { reportStartedMove } from '../moveProgress.js';
import { formatMiB, healthCell, stateCell, type Output } from '../output.js';
import { printDatasetTable } from './datasets.js';

interface MoveFlags extends ApiFlags {
  to: string;
  instance?: number;
  wait?: boolean;
}

export function appsCommand(): Command {
  const apps = new Command('apps').description('deploy, list, show, scale, restart, move and remove apps');

  apps.addCommand(
    withApiOptions(new Command('deploy'))
      .description('create an app from a Marathon app definition, or update it when its id exists')
      .argument('<file>', 'a Marathon app JSON file, or - for stdin')
      .action(
        apiAction<[string]>(async ({ client, flags, out }, path) => {
          const file = await readAppFile(path);
          const existing = file.id === undefined ? false : await appExists(client, file.id);
          const answer =
            file.id !== undefined && existing
              ? await client.put<AppDetailShape>(appPath(file.id), file.definition)
              : await client.post<AppDetailShape>('/v1/apps', file.definition);
          if (flags.json) return out.json(answer);
          const version = answer.app?.version !== undefined ? ` (version ${answer.app.version})` : '';
          out.line(`${existing ? 'updated' : 'created'} app ${answer.app?.id ?? file.id}${version}`);
          if (answer.datasets !== undefined && answer.datasets.length > 0) {
            out.line(`datasets: ${answer.datasets.map((d) => `${d.name} (${formatMiB(d.sizeMiB)}, ${d.backend ?? '?'})`).join(', ')}`);
          }
          out.line(`watch it start with: ferry apps show ${answer.app?.id ?? file.id}`);
        }),
      ),
  );

  apps.addCommand(
    withApiOptions(new Command('ls'))
      .description('list apps with their instances, tasks and datasets')
      .action(
        apiAction<[]>(async ({ client, flags, out }) => {
          const answer = await client.get<{ apps: AppSummaryShape[] }>('/v1/apps');
          if (flags.json) return out.json(answer);
          out.table(
            ['ID', 'INSTANCES', 'RUNNING', 'HEALTHY', 'DATASET', 'VERSION'],
            answer.apps.map((a) => [
              a.id,
              String(a.instances ?? 1),
              String(a.tasksRunning ?? 0),
              a.tasksHealthy !== undefined ? String(a.tasksHealthy) : '-',
              datasetOf(a),
              a.version ?? '-',
            ]),
          );
        }),
      ),
  );

  apps.addCommand(
    withApiOptions(new Command('show'))
      .description('show an app: its definition, tasks, datasets and why instances wait')
      .argument('<id>', 'the app id, e.g. /kv', normalizeAppId)
      .action(
        apiAction<[string]>(async ({ client, flags, out }, id) => {
          const answer = await client.get<AppDetailShape>(appPath(id));
          if (flags.json) return out.json(answer);
          printApp(out, answer);
        }),
      ),
  );

  apps.addCommand(
    withApiOptions(new Command('scale'))
      .description('set the number of instances (each stateful instance has its own dataset)')
      .argument('<id>', 'the app id', normalizeAppId)
      .argument('<instances>', 'the number of instances', wholeNumber('<instances>'))
      .action(
        apiAction<[string, number]>(async ({ client, flags, out }, id, instances) => {
          const answer = await client.post<AppDetailShape>(appPath(id, 'scale'), { instances });
          if (flags.json) return out.json(answer);
          out.line(`scaled app ${id} to ${instances} instance${instances === 1 ? '' : 's'}`);
        }),
      ),
  );

  apps.addCommand(
    withApiOptions(new Command('restart'))
      .description("restart an app's tasks (each on the agent that holds its dataset)")
      .argument('<id>', 'the app id', normalizeAppId)
      .action(
        apiAction<[string]>(async ({ client, flags, out }, id) => {
          const answer = await client.post<unknown>(appPath(id, 'restart'));
          if (flags.json) return out.json(answer);
          out.line(`restarting app ${id}`);
        }),
      ),
  );

  apps.addCommand(
    withApiOptions(new Command('move'))
      .description("move an app instance with its dataset to another agent")
      .argument('<id>', 'the app id', normalizeAppId)
      .requiredOption('--to <agent>', 'the destination agent id, or "any" to let Ferry choose')
      .option('--instance <n>', 'which instance (default 0)', wholeNumber('--instance'))
      .option('--wait', 'follow the move until it ends; exit 0 only if it SUCCEEDED')
      .action(
        apiAction<[string], MoveFlags>(async (ctx, id) => {
          const body = { to: ctx.flags.to, ...(ctx.flags.instance !== undefined ? { instance: ctx.flags.instance } : {}) };
          const answer = await ctx.client.post<{ moveId: string; move?: MoveShape }>(appPath(id, 'move'), body);
          await reportStartedMove(ctx, answer);
        }),
      ),
  );

  apps.addCommand(
    withApiOptions(new Command('rm'))
      .description('delete an app; its datasets are kept')
      .argument('<id>', 'the app id', normalizeAppId)
      .action(
        apiAction<[string]>(async ({ client, flags, out }, id) => {
          const answer = await client.delete<unknown>(appPath(id));
          if (flags.json) return out.json(answer);
          out.line(`deleted app ${id}; its datasets are kept (ferry datasets ls --app ${id})`);
        }),
      ),
  );

  return apps;
}

async function appExists(client: { get<T>(path: string): Promise<T> }, id: string): Promise<boolean> {
  try {
    await client.get(appPath(id));
    return true;
  } catch (err) {
    if (err instanceof ApiRefusedError && err.status === 404) return false;
    throw err;
  }
}

/** The dataset an app declares, as its definition names it. */
function datasetOf(app: AppDefinitionShape): string {
  for (const volume of app.container?.volumes ?? []) {
    if (volume.external?.name !== undefined) return volume.external.name;
    if (volume.persistent !== undefined) return `persistent (${volume.containerPath ?? '?'})`;
  }
  return '-';
}

function printApp(out: Output, detail: AppDetailShape): void {
  const app = detail.app;
  const tasks = detail.tasks ?? [];
  const running = tasks.filter((t) => t.state === 'TASK_RUNNING').length;
  out.fields([
    ['id', app.id],
    ['command', app.cmd ?? (app.args !== undefined ? app.args.join(' ') : undefined)],
    ['instances', `${app.instances ?? 1} wanted, ${running} running`],
    ['dataset', datasetOf(app)],
    ['version', app.version],
  ]);
  out.heading('TASKS');
  if (tasks.length === 0) out.line('none');
  else {
    out.table(
      ['INSTANCE', 'ID', 'AGENT', 'HOST', 'STATE', 'HEALTHY', 'DATA-VIA'],
      tasks.map((t) => [String(t.instance ?? '-'), t.id, t.agentId ?? '-', t.hostname ?? '-', stateCell(t.state), healthCell(t.healthy), t.dataVia ?? '-']),
    );
  }
  if (detail.datasets !== undefined && detail.datasets.length > 0) {
    out.heading('DATASETS');
    printDatasetTable(out, detail.datasets);
  }
  if (detail.pending !== undefined && detail.pending.length > 0) {
    out.heading('WAITING');
    for (const p of detail.pending) out.line(`instance ${p.instance}: ${p.reason}`);
  }
}
