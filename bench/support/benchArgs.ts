// Command-line flags of the benchmarks, parsed by node:util's parseArgs
// (strict: an unknown flag or a missing value is an error), with numbers and
// lists checked so that bad input stops the run with a clear message.

import { parseArgs } from 'node:util';

export type FlagValues = Record<string, string | boolean | undefined>;

/** Parses `argv` with the given flags: true for a flag that takes a value, false for a switch. */
export function benchFlags(argv: string[], flags: Record<string, boolean>): FlagValues {
  const { values, positionals } = benchCommandLine(argv, flags);
  if (positionals.length > 0) throw new Error(`unexpected argument ${positionals[0]!}`);
  return values;
}

/** Like `benchFlags`, for a benchmark that also takes plain arguments (such as a work directory). */
export function benchCommandLine(argv: string[], flags: Record<string, boolean>): { values: FlagValues; positionals: string[] } {
  const options = Object.fromEntries(Object.entries(flags).map(([name, takesValue]) => [name, { type: takesValue ? ('string' as const) : ('boolean' as const) }]));
  const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  return { values: values as FlagValues, positionals };
}

/** A flag's value as a number ≥ 0 (or the fallback when absent). */
export function numberFlag(values: FlagValues, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`--${name} takes a number ≥ 0, not "${String(raw)}"`);
  return n;
}

/** A flag's comma-separated value, each item one of `allowed` (or the fallback when absent). */
export function listFlag<T extends string>(values: FlagValues, name: string, allowed: readonly T[], fallback: readonly T[]): T[] {
  const raw = values[name];
  if (raw === undefined) return [...fallback];
  return String(raw)
    .split(',')
    .map((item) => {
      const known = allowed.find((a) => a === item);
      if (known === undefined) throw new Error(`--${name} takes ${allowed.join(', ')}, not ${item}`);
      return known;
    });
}

/** A flag's value, one of `allowed` (or the fallback when absent). */
export function choiceFlag<T extends string>(values: FlagValues, name: string, allowed: readonly T[], fallback: T): T {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const known = allowed.find((a) => a === raw);
  if (known === undefined) throw new Error(`--${name} takes one of ${allowed.join(', ')}, not ${String(raw)}`);
  return known;
}
