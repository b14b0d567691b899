// `ferry agents ls`: the Mesos agents Ferry knows from offers and status
// updates, with their attributes and how many datasets and tasks each holds.

import { Command } from 'commander';
import type { AgentShape } from '../apiShapes.js';
import { apiAction, withApiOptions } from '../clientCommand.js';
import { stateCell } from '../output.js';

export function agentsCommand(): Command {
  const agents = new Command('agents').description('list the Mesos agents Ferry knows');
  agents.addCommand(
    withApiOptions(new Command('ls'))
      .description('list agents: hostname, datasets and tasks held, attributes')
      .action(
        apiAction<[]>(async ({ client, flags, out }) => {
          const answer = await client.get<{ agents: AgentShape[] }>('/v1/agents');
          if (flags.json) return out.json(answer);
          out.table(
            ['ID', 'HOSTNAME', 'STATE', 'DATASETS', 'TASKS', 'ATTRIBUTES'],
            answer.agents.map((a) => [a.id, a.hostname ?? '-', stateCell(agentState(a)), count(a.datasets), count(a.tasks), attributesText(a.attributes)]),
          );
        }),
      ),
  );
  return agents;
}

function count(value: unknown[] | number | undefined): string {
  if (value === undefined) return '-';
  return String(Array.isArray(value) ? value.length : value);
}

function agentState(agent: AgentShape): string | undefined {
  for (const key of ['state', 'status']) {
    const value = agent[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/** "zone=a, rack=1" from either a name→value map or Mesos's attribute list. */
function attributesText(attributes: AgentShape['attributes']): string {
  if (attributes === undefined) return '-';
  const pairs: string[] = [];
  if (Array.isArray(attributes)) {
    for (const a of attributes) pairs.push(`${a.name}=${a.text?.value ?? a.scalar?.value ?? '?'}`);
  } else {
    for (const [name, value] of Object.entries(attributes)) pairs.push(`${name}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  return pairs.length > 0 ? pairs.join(', ') : '-';
}
