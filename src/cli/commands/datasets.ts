// `ferry datasets create|ls|show|rm|move`: named volumes, where they live and
// who uses them. Flags and output only; Ferry's API validates and decides.

import { Command, Option } from 'commander';
import type { DatasetShape, MoveShape } from '../apiShapes.js';
import { keyValue, normalizeAppId, parseSizeGiB, segment } from '../argumentParsers.js';
import { apiAction, withApiOptions, type ApiFlags } from '../clientCommand.js';
import { reportStartedMove } from '../moveProgress.js';
import { formatAge, formatMiB, formatYesNo, stateCell, type Output } from '../output.js';

const BACKENDS = ['local', 'loopback', 'ebs'];

interface CreateFlags extends ApiFlags {
  size: { size: number } | { sizeMiB: number };
  backend?: string;
  profile?: string;
  agent?: string;
  zone?: string;
  metadata?: Record<string, string>;
}

interface ListFlags extends ApiFlags {
  app?: string;
  agent?: string;
  state?: string;
}

interface MoveFlags extends ApiFlags {
  to: string;
  force?: boolean;
  wait?: boolean;
}

export function datasetsCommand(): Command {
  const datasets = new Command('datasets').description('create, list, show, remove and move datasets (named volumes)');

  datasets.addCommand(
    withApiOptions(new Command('create'))
      .description('create a dataset (it is placed on an agent when given --agent, else where its app first runs)')
      .argument('<name>', 'the dataset name, e.g. kv-data')
      .requiredOption('--size <GiB>', 'size in GiB (fractions allowed: 0.5 is 512 MiB)', parseSizeGiB)
      .addOption(new Option('--backend <backend>', 'volume backend').choices(BACKENDS))
      .option('--profile <profile>', 'storage profile (gold, silver, bronze)')
      .option('--agent <id>', 'the agent to place it on')
      .option('--zone <zone>', 'the zone it must live in (block backends)')
      .option('--metadata <key=value>', 'a metadata entry (repeat for more)', keyValue)
      .action(
        apiAction<[string], CreateFlags>(async ({ client, flags, out }, name) => {
          const body = {
            name,
            ...flags.size,
            ...(flags.backend !== undefined ? { backend: flags.backend } : {}),
            ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
            ...(flags.agent !== undefined ? { agent: flags.agent } : {}),
            ...(flags.zone !== undefined ? { zone: flags.zone } : {}),
            ...(flags.metadata !== undefined ? { metadata: flags.metadata } : {}),
          };
          const answer = await client.post<{ dataset?: DatasetShape } & Partial<DatasetShape>>('/v1/datasets', body);
          if (flags.json) return out.json(answer);
          const dataset = answer.dataset ?? (answer as DatasetShape);
          out.line(`created dataset ${dataset.name ?? name}`);
          printDataset(out, dataset);
        }),
      ),
  );

  datasets.addCommand(
    withApiOptions(new Command('ls'))
      .description('list datasets: size, backend, state, where they live, which app uses them')
      .option('--app <id>', 'only the datasets of this app', normalizeAppId)
      .option('--agent <id>', 'only the datasets on this agent')
      .option('--state <state>', 'only datasets in this state (NEW, PREPARING, READY, MOVING, UNAVAILABLE)')
      .action(
        apiAction<[], ListFlags>(async ({ client, flags, out }) => {
          const query = new URLSearchParams();
          if (flags.app !== undefined) query.set('app', flags.app);
          if (flags.agent !== undefined) query.set('agent', flags.agent);
          if (flags.state !== undefined) query.set('state', flags.state.toUpperCase());
          const answer = await client.get<{ datasets: DatasetShape[] }>(`/v1/datasets${query.size > 0 ? `?${query}` : ''}`);
          if (flags.json) return out.json(answer);
          printDatasetTable(out, answer.datasets);
        }),
      ),
  );

  datasets.addCommand(
    withApiOptions(new Command('show'))
      .description('show one dataset in full')
      .argument('<name>', 'the dataset name')
      .action(
        apiAction<[string]>(async ({ client, flags, out }, name) => {
          const answer = await client.get<{ dataset: DatasetShape }>(`/v1/datasets/${segment(name)}`);
          if (flags.json) return out.json(answer);
          printDataset(out, answer.dataset);
        }),
      ),
  );

  datasets.addCommand(
    withApiOptions(new Command('rm'))
      .description('delete a dataset that no app or task uses')
      .argument('<name>', 'the dataset name')
      .action(
        apiAction<[string]>(async ({ client, flags, out }, name) => {
          const answer = await client.delete<unknown>(`/v1/datasets/${segment(name)}`);
          if (flags.json) return out.json(answer);
          out.line(`deleted dataset ${name}`);
        }),
      ),
  );

  datasets.addCommand(
    withApiOptions(new Command('move'))
      .description('move a dataset (and the app instance using it) to another agent')
      .argument('<name>', 'the dataset name')
      .requiredOption('--to <agent>', 'the destination agent id, or "any" to let Ferry choose')
      .option('--force', 'release the source without its agent (block backends, when the agent is gone)')
      .option('--wait', 'follow the move until it ends; exit 0 only if it SUCCEEDED')
      .action(
        apiAction<[string], MoveFlags>(async (ctx, name) => {
          const body = { to: ctx.flags.to, ...(ctx.flags.force === true ? { force: true } : {}) };
          const answer = await ctx.client.post<{ moveId: string; move?: MoveShape }>(`/v1/datasets/${segment(name)}/move`, body);
          await reportStartedMove(ctx, answer);
        }),
      ),
  );

  return datasets;
}

export function printDatasetTable(out: Output, datasets: readonly DatasetShape[]): void {
  out.table(
    ['NAME', 'SIZE', 'BACKEND', 'PROFILE', 'STATE', 'AGENT', 'HOST', 'APP', 'IN-USE'],
    datasets.map((d) => [
      d.name,
      formatMiB(d.sizeMiB),
      d.backend ?? '-',
      d.profile ?? '-',
      stateCell(d.state),
      d.agentId ?? '-',
      d.hostname ?? '-',
      d.owner !== undefined ? `${d.owner.appId}#${d.owner.instance}` : '-',
      formatYesNo(d.inUse),
    ]),
  );
}

function printDataset(out: Output, d: DatasetShape): void {
  const metadata = d.metadata !== undefined && Object.keys(d.metadata).length > 0 ? Object.entries(d.metadata).map(([k, v]) => `${k}=${v}`).join(', ') : undefined;
  out.fields([
    ['name', d.name],
    ['size', formatMiB(d.sizeMiB)],
    ['backend', d.backend],
    ['profile', d.profile],
    ['state', stateCell(d.state)],
    ['reason', d.reason],
    ['agent', d.agentId ?? 'not placed yet'],
    ['hostname', d.hostname],
    ['host path', d.hostPath],
    ['zone', d.zone],
    ['app', d.owner !== undefined ? `${d.owner.appId} instance ${d.owner.instance}` : undefined],
    ['task', d.taskId],
    ['in use', formatYesNo(d.inUse)],
    ['metadata', metadata],
    ['created', d.createdAt !== undefined ? `${d.createdAt} (${formatAge(d.createdAt)})` : undefined],
    ['updated', d.updatedAt !== undefined ? `${d.updatedAt} (${formatAge(d.updatedAt)})` : undefined],
  ]);
}
