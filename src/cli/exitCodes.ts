// The exit codes every `ferry` client command ends with, and the errors that
// carry them. Scripts rely on these numbers: never reuse one for another meaning.

export const EXIT = {
  /** the command did what was asked (a waited-for move SUCCEEDED) */
  ok: 0,
  /** Ferry answered and refused or failed the request, or a waited-for move did not succeed */
  refused: 1,
  /** the command line or an input file is wrong; nothing was sent */
  usage: 2,
  /** Ferry's API could not be reached (connection refused, no answer, unknown host) */
  unreachable: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The epilogue of `--help`: the exit codes, as docs/cli.md lists them. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  Ferry refused or failed the request (or a --wait move did not succeed)
  2  usage error: bad flags, arguments or input file; nothing was sent
  3  cannot reach Ferry's API (see --url / FERRY_URL)`;

/** An error the user fixes on the command line or in an input file. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = EXIT.usage;
}

/** Something Ferry did (or did not do) that makes the command fail, outside any single HTTP answer. */
export class CommandFailedError extends Error {
  override name = 'CommandFailedError';
  readonly exitCode = EXIT.refused;
}
