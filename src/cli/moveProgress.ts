// Follows one move until it ends, printing its timeline as it grows: a line
// per step when it starts and when it ends (on a terminal, the running step's
// line updates in place). It only reads; it never changes the move.

import { ApiRefusedError, ApiUnreachableError, type FerryApiClient } from './apiClient.js';
import type { MoveShape, MoveStepShape } from './apiShapes.js';
import type { CommandContext } from './clientCommand.js';
import { EXIT } from './exitCodes.js';
import { formatDuration, stateCell, type Cell, type Output } from './output.js';

const POLL_INTERVAL_MS = 500;
/** How long the API may stay out of reach (a leader failover) before following gives up. */
const OUTAGE_TOLERANCE_MS = 20_000;
const STEP_WIDTH = 11;

export interface FollowOptions {
  intervalMs?: number;
}

/**
 * What `move` commands do with the API's 202: say which move started, or with
 * --wait follow it to its end; the exit code is 0 only for SUCCEEDED.
 */
export async function reportStartedMove(ctx: CommandContext<{ url: string; json?: boolean; wait?: boolean }>, answer: { moveId: string; move?: MoveShape }): Promise<void> {
  if (ctx.flags.wait !== true) {
    if (ctx.flags.json === true) return ctx.out.json(answer);
    ctx.out.line(answer.move !== undefined ? `started ${describeMove(answer.move)}` : `started move ${answer.moveId}`);
    ctx.out.line(`follow it with: ferry moves show ${answer.moveId} --wait`);
    return;
  }
  const ended = await followMove(ctx.client, answer.moveId, ctx.progress);
  if (ctx.flags.json === true) ctx.out.json(ended);
  if (ended.move.state !== 'SUCCEEDED') process.exitCode = EXIT.refused;
}

/** Polls GET /v1/moves/{id} until the move leaves RUNNING; returns the last answer (the move as it ended). */
export async function followMove(client: FerryApiClient, moveId: string, out: Output, options: FollowOptions = {}): Promise<{ move: MoveShape }> {
  const intervalMs = options.intervalMs ?? POLL_INTERVAL_MS;
  const path = `/v1/moves/${encodeURIComponent(moveId)}`;
  const timeline = new TimelinePrinter(out);
  let outageSince: number | undefined;
  let first = true;
  for (;;) {
    let answer: { move: MoveShape };
    try {
      answer = await client.get<{ move: MoveShape }>(path);
      outageSince = undefined;
    } catch (err) {
      if (!isTransient(err)) throw err;
      outageSince ??= Date.now();
      if (Date.now() - outageSince > OUTAGE_TOLERANCE_MS) throw err;
      await sleep(intervalMs);
      continue;
    }
    const move = answer.move;
    if (first) {
      out.line(describeMove(move));
      first = false;
    }
    timeline.show(move);
    if (move.state !== 'RUNNING') {
      timeline.finish();
      out.line(moveOutcome(move, out));
      return answer;
    }
    await sleep(intervalMs);
  }
}

/** "move 1f2e…: dataset kv-data (app /kv instance 0) from A to B, copy" */
export function describeMove(move: MoveShape): string {
  const app = move.appId !== undefined ? ` (app ${move.appId} instance ${move.instance ?? 0})` : '';
  const kind = move.kind !== undefined ? `, ${move.kind}${move.backend !== undefined ? ` (${move.backend})` : ''}` : '';
  return `move ${move.id}: dataset ${move.dataset ?? '?'}${app} from ${move.from ?? '?'} to ${move.to ?? '?'}${kind}`;
}

/** The last line: how the move ended and, when it did not succeed, why. */
export function moveOutcome(move: MoveShape, out: Output): string {
  const state = stateCell(move.state);
  const duration = move.durationMs !== undefined ? ` in ${formatDuration(move.durationMs)}` : '';
  const why = move.state !== 'SUCCEEDED' && move.error !== undefined ? `: ${move.error}` : '';
  return `move ${move.id} ${paintCell(out, state)}${duration}${why}`;
}

/** A step of the timeline as one line: name, outcome, duration, detail. */
export function stepLine(step: MoveStepShape, out: Output, now: number = Date.now()): string {
  const name = step.step.padEnd(STEP_WIDTH);
  if (step.endedAt === undefined) {
    const started = step.startedAt !== undefined ? Date.parse(step.startedAt) : NaN;
    const running = Number.isFinite(started) ? ` ${formatDuration(Math.max(0, now - started))}` : '';
    return `  ${name} ${paintCell(out, { text: 'running', tone: 'busy' })}${running}`;
  }
  const outcome = step.outcome ?? 'ok';
  const tone = outcome === 'ok' ? 'good' : outcome === 'failed' ? 'bad' : 'dim';
  const duration = formatDuration(step.durationMs ?? durationBetween(step.startedAt, step.endedAt));
  const detail = step.detail !== undefined && step.detail !== '' ? `  ${step.detail}` : '';
  return `  ${name} ${paintCell(out, { text: outcome.padEnd(7), tone })} ${duration.padStart(7)}${detail}`;
}

class TimelinePrinter {
  /** per index of the steps array: what has been printed for it */
  private readonly printed: ('started' | 'ended')[] = [];
  /** a terminal's in-place line for the running step is showing */
  private liveLineShown = false;

  constructor(private readonly out: Output) {}

  show(move: MoveShape): void {
    const steps = move.steps ?? [];
    steps.forEach((step, i) => {
      const was = this.printed[i];
      if (step.endedAt !== undefined && was !== 'ended') {
        this.clearLiveLine();
        this.out.line(stepLine(step, this.out));
        this.printed[i] = 'ended';
      } else if (step.endedAt === undefined) {
        if (this.out.live) {
          this.clearLiveLine();
          this.out.write(stepLine(step, this.out));
          this.liveLineShown = true;
          this.printed[i] = 'started';
        } else if (was === undefined) {
          this.out.line(stepLine(step, this.out));
          this.printed[i] = 'started';
        }
      }
    });
  }

  finish(): void {
    this.clearLiveLine();
  }

  private clearLiveLine(): void {
    if (!this.liveLineShown) return;
    this.out.write('\r\u001b[2K');
    this.liveLineShown = false;
  }
}

function paintCell(out: Output, cell: Cell): string {
  return typeof cell === 'string' ? cell : out.paint(cell.text, cell.tone);
}

function durationBetween(start: string | undefined, end: string | undefined): number | undefined {
  if (start === undefined || end === undefined) return undefined;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Worth waiting out: no answer at all, or an API that is starting or between leaders. */
function isTransient(err: unknown): boolean {
  return err instanceof ApiUnreachableError || (err instanceof ApiRefusedError && [502, 503, 504].includes(err.status));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
