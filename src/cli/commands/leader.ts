// `ferry leader`: which Ferry instance leads, and whether it is the one asked.
// Standbys answer too (they forward writes to the leader).

import { Command } from 'commander';
import { apiAction, withApiOptions } from '../clientCommand.js';

export function leaderCommand(): Command {
  return withApiOptions(new Command('leader'))
    .description('show which Ferry instance leads')
    .action(
      apiAction<[]>(async ({ client, flags, out }) => {
        const answer = await client.get<{ leader: string; self?: boolean }>('/v1/leader');
        if (flags.json) return out.json(answer);
        out.line(`${answer.leader}${answer.self === true ? ' (the instance at --url)' : answer.self === false ? ` (--url ${client.url} is a standby)` : ''}`);
      }),
    );
}
