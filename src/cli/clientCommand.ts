// What every `ferry` command that talks to the API shares: the --url, --token
// and --json flags (with FERRY_URL and FERRY_TOKEN), the client and outputs an
// action gets, and the one place errors become a message and an exit code.

import { CommanderError, InvalidArgumentError, Option, type Command } from 'commander';
import { ApiRefusedError, ApiUnreachableError, DEFAULT_API_URL, FerryApiClient, parseApiUrl } from './apiClient.js';
import { CommandFailedError, EXIT, EXIT_CODES_HELP, UsageError, type ExitCode } from './exitCodes.js';
import { Output } from './output.js';

export interface ApiFlags {
  url: string;
  token?: string;
  json?: boolean;
}

export interface CommandContext<F extends ApiFlags = ApiFlags> {
  client: FerryApiClient;
  flags: F;
  /** results: tables, or the API's JSON with --json */
  out: Output;
  /** progress while waiting: stdout for people, stderr with --json so stdout stays pure JSON */
  progress: Output;
}

function urlArgument(value: string): string {
  const parsed = parseApiUrl(value);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.problem);
  return parsed.url;
}

/** Adds the API flags and the exit-code epilogue to a command that talks to Ferry. */
export function withApiOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', "Ferry's API").env('FERRY_URL').default(DEFAULT_API_URL).argParser(urlArgument))
    .addOption(new Option('--token <token>', 'bearer token, when the API requires one').env('FERRY_TOKEN'))
    .option('--json', "print the API's JSON answer unchanged, for scripts")
    .addHelpText('after', EXIT_CODES_HELP);
}

/**
 * Wraps a command's action: builds its context from the flags, runs it, and
 * turns any error into a message on stderr and the exit code.
 */
export function apiAction<Args extends unknown[], F extends ApiFlags = ApiFlags>(
  run: (ctx: CommandContext<F>, ...args: Args) => Promise<void>,
): (...received: unknown[]) => Promise<void> {
  return async (...received) => {
    const command = received[received.length - 1] as Command;
    const flags = command.opts<F>();
    const args = received.slice(0, -2) as Args;
    const out = Output.stdout();
    const ctx: CommandContext<F> = {
      client: new FerryApiClient({ url: flags.url, ...(flags.token !== undefined ? { token: flags.token } : {}) }),
      flags,
      out,
      progress: flags.json === true ? Output.stderr() : out,
    };
    try {
      await run(ctx, ...args);
    } catch (err) {
      process.exitCode = reportFailure(err);
    }
  };
}

/** Prints why the command failed on stderr ("ferry: ...") and returns its exit code. */
export function reportFailure(err: unknown): ExitCode {
  const say = (text: string): void => {
    process.stderr.write(`ferry: ${text}\n`);
  };
  if (err instanceof ApiRefusedError) {
    say(`${err.message} (${err.field !== undefined ? `field "${err.field}", ` : ''}HTTP ${err.status})`);
    return EXIT.refused;
  }
  if (err instanceof ApiUnreachableError) {
    say(err.message);
    return EXIT.unreachable;
  }
  if (err instanceof UsageError || err instanceof InvalidArgumentError) {
    say(`${err.message} (see --help)`);
    return EXIT.usage;
  }
  if (err instanceof CommanderError) {
    say(err.message);
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof CommandFailedError) {
    say(err.message);
    return EXIT.refused;
  }
  say(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return EXIT.refused;
}
