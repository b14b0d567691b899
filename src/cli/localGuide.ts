// What `ferry local` prints once the cluster runs: where everything is, and a
// walkthrough with real ids and ports (deploy, write, move, kill an agent).
// Text only; docs/local-mode.md tells the same story at length.

import { join, relative } from 'node:path';
import { DEFAULT_API_URL } from './apiClient.js';
import { examplesDir, type ExampleStatus } from './localExample.js';

export interface GuideFacts {
  apiUrl: string;
  simUrl: string;
  workDir: string;
  agentIds: string[];
  example?: ExampleStatus;
}

export function localGuide(facts: GuideFacts): string {
  const ferry = 'npx ferry';
  const shown = (path: string): string => {
    const rel = relative(process.cwd(), path);
    return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
  };
  const lines: string[] = [
    '',
    `Ferry local mode: a simulated Mesos cluster with ${facts.agentIds.length} agents on this machine.`,
    '',
    `  Ferry API     ${facts.apiUrl}/v1/apps`,
    `  Ferry UI      ${facts.apiUrl}/ui/`,
    `  Mesos master  ${facts.simUrl}/state`,
    `  agents        ${facts.agentIds.join(', ')}`,
    `  work dir      ${shown(facts.workDir)} (cleared at the next start)`,
  ];
  if (facts.apiUrl !== DEFAULT_API_URL) lines.push('', `The ferry commands below need: export FERRY_URL=${facts.apiUrl}`);
  const example = facts.example;
  if (example !== undefined) {
    const kv = example.port !== undefined ? `http://127.0.0.1:${example.port}` : undefined;
    const agent = example.agentId ?? '<agent id>';
    lines.push('');
    if (example.agentId !== undefined) lines.push(`The example app ${example.id} (${example.file}) runs on agent ${example.agentId}, its data in dataset ${example.dataset ?? '?'}.`);
    else lines.push(`The example app ${example.id} (${example.file}) is deployed but not running yet: ${example.waiting ?? 'waiting'}.`);
    lines.push('', 'Try it, in another terminal:', '');
    if (kv !== undefined) {
      lines.push(`  write a value       curl -XPUT ${kv}/kv/greeting -d hello`, `  read it back        curl -i ${kv}/kv/greeting     (X-Kv-Agent: the agent serving it)`);
    }
    lines.push(
      `  see the app         ${ferry} apps show ${example.id}`,
      `  see its dataset     ${ferry} datasets ls`,
      `  move it             ${ferry} apps move ${example.id} --to any --wait`,
    );
    if (kv !== undefined) lines.push(`  read it again       curl -i ${kv}/kv/greeting     (same value, another agent)`);
    const machine = example.hostname ?? '<its agent\'s hostname>';
    const inAMinute = "'$(( ($(date +%s) + 60) * 10**9 ))'";
    lines.push(
      `  maintenance on its machine, and the data follows it away (see \`${ferry} datasets show ${example.dataset ?? '<dataset>'}\` for the current HOST):`,
      `                      curl -XPOST ${facts.simUrl}/maintenance/schedule -d '{"windows":[{"machine_ids":[{"hostname":"${machine}","ip":"127.0.0.1"}],"unavailability":{"start":{"nanoseconds":${inAMinute}}}}]}'`,
    );
    lines.push(
      `  kill its agent      curl -XPOST ${facts.simUrl}/sim/agents/${agent}/stop`,
      `  see why it waits    ${ferry} apps show ${example.id}     (a local dataset lives only on its agent)`,
      `  bring it back       curl -XPOST ${facts.simUrl}/sim/agents/${agent}/start`,
      `  list the moves      ${ferry} moves ls`,
    );
  }
  lines.push(
    '',
    'The two-tier todo example (a stateful db, a stateless web tier):',
    '',
    `  ${ferry} apps deploy ${shown(join(examplesDir(), 'todo-db.json'))}`,
    `  ${ferry} apps deploy ${shown(join(examplesDir(), 'todo-web.json'))}     then open http://127.0.0.1:31091/`,
    '',
    'More in docs/local-mode.md. Ctrl-C stops everything.',
  );
  return `${lines.join('\n')}\n`;
}
