// `ferry moves ls|show|cancel`: dataset relocations and their step timelines.
// `show --wait` follows a running move to its end. Flags and output only; the
// move orchestrator decides every step.

import { Command, InvalidArgumentError } from 'commander';
import type { MoveShape } from '../apiShapes.js';
import { segment } from '../argumentParsers.js';
import { apiAction, withApiOptions, type ApiFlags } from '../clientCommand.js';
import { EXIT } from '../exitCodes.js';
import { describeMove, followMove } from '../moveProgress.js';
import { formatAge, formatBytes, formatDuration, stateCell, type Output } from '../output.js';

const MOVE_STATES = ['RUNNING', 'SUCCEEDED', 'ROLLED_BACK', 'CANCELLED', 'FAILED'];

function moveState(value: string): string {
  const state = value.trim().toUpperCase().replace(/-/g, '_');
  if (!MOVE_STATES.includes(state)) throw new InvalidArgumentError(`--state takes one of ${MOVE_STATES.join(', ')}, not "${value}"`);
  return state;
}

interface ListFlags extends ApiFlags {
  state?: string;
}

interface ShowFlags extends ApiFlags {
  wait?: boolean;
}

export function movesCommand(): Command {
  const moves = new Command('moves').description('list, show, follow and cancel dataset moves');

  moves.addCommand(
    withApiOptions(new Command('ls'))
      .description('list moves, newest first')
      .option('--state <state>', `only moves in this state (${MOVE_STATES.join(', ')})`, moveState)
      .action(
        apiAction<[], ListFlags>(async ({ client, flags, out }) => {
          const answer = await client.get<{ moves: MoveShape[] }>(`/v1/moves${flags.state !== undefined ? `?state=${flags.state}` : ''}`);
          if (flags.json) return out.json(answer);
          out.table(
            ['ID', 'DATASET', 'APP', 'KIND', 'TRIGGER', 'FROM', 'TO', 'STATE', 'STEP', 'DURATION', 'STARTED'],
            answer.moves.map((m) => [
              m.id,
              m.dataset ?? '-',
              m.appId !== undefined ? `${m.appId}#${m.instance ?? 0}` : '-',
              m.kind ?? '-',
              m.trigger ?? '-',
              m.from ?? '-',
              m.to ?? '-',
              stateCell(m.state),
              m.step ?? '-',
              formatDuration(m.durationMs),
              formatAge(m.createdAt),
            ]),
          );
        }),
      ),
  );

  moves.addCommand(
    withApiOptions(new Command('show'))
      .description("show a move and its step timeline; with --wait, follow it until it ends")
      .argument('<id>', 'the move id')
      .option('--wait', 'follow the move until it ends; exit 0 only if it SUCCEEDED')
      .action(
        apiAction<[string], ShowFlags>(async ({ client, flags, out, progress }, id) => {
          if (flags.wait === true) {
            const ended = await followMove(client, id, progress);
            if (flags.json) out.json(ended);
            if (ended.move.state !== 'SUCCEEDED') process.exitCode = EXIT.refused;
            return;
          }
          const answer = await client.get<{ move: MoveShape }>(`/v1/moves/${segment(id)}`);
          if (flags.json) return out.json(answer);
          printMove(out, answer.move);
        }),
      ),
  );

  moves.addCommand(
    withApiOptions(new Command('cancel'))
      .description('cancel a running move; it rolls back and the data stays where it was')
      .argument('<id>', 'the move id')
      .action(
        apiAction<[string]>(async ({ client, flags, out }, id) => {
          const answer = await client.delete<{ move?: MoveShape }>(`/v1/moves/${segment(id)}`);
          if (flags.json) return out.json(answer);
          const at = answer.move?.step !== undefined ? ` at step ${answer.move.step}` : '';
          out.line(`cancel requested for move ${id}${at}; it rolls back (follow it with: ferry moves show ${id} --wait)`);
        }),
      ),
  );

  return moves;
}

function printMove(out: Output, m: MoveShape): void {
  const rounds = Array.isArray(m.rounds) ? (m.rounds as { bytesSent?: number }[]) : [];
  const sent = rounds.reduce((sum, r) => sum + (typeof r.bytesSent === 'number' ? r.bytesSent : 0), 0);
  out.line(describeMove(m));
  out.fields([
    ['state', stateCell(m.state)],
    ['step', m.state === 'RUNNING' ? m.step : undefined],
    ['trigger', m.trigger],
    ['error', m.error],
    ['started', m.createdAt !== undefined ? `${m.createdAt} (${formatAge(m.createdAt)})` : undefined],
    ['duration', m.durationMs !== undefined ? formatDuration(m.durationMs) : undefined],
    ['copy rounds', rounds.length > 0 ? `${rounds.length} (${formatBytes(sent)} sent)` : undefined],
  ]);
  out.heading('STEPS');
  const steps = m.steps ?? [];
  if (steps.length === 0) return out.line('none yet');
  out.table(
    ['STEP', 'OUTCOME', 'DURATION', 'STARTED', 'DETAIL'],
    steps.map((s) => [s.step, stateCell(s.endedAt === undefined ? 'running' : (s.outcome ?? 'ok')), formatDuration(s.durationMs), s.startedAt ?? '-', s.detail ?? '']),
  );
}
