// The compile-time guard for exhaustive switches over discriminated unions:
// a new union member that a switch forgets fails to typecheck there. It must
// only ever be reached by values the type system says cannot exist.

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
