// What a backend accepts as a volume size: a whole, positive number of MiB
// within the backend's limits. Each backend states its own rounding (EBS
// rounds up to whole GiB; loopback and local keep the exact MiB). Never
// guesses: a size that is not a whole number of MiB is refused, not rounded.

export interface SizeLimits {
  minMiB: number;
  maxMiB: number;
}

export const MIB_PER_GIB = 1024;

/** Why `sizeMiB` cannot be a volume size here, or undefined when it can. */
export function sizeProblem(sizeMiB: number, limits: SizeLimits, what: string): string | undefined {
  if (typeof sizeMiB !== 'number' || !Number.isFinite(sizeMiB)) return `the size of ${what} must be a number of MiB, got ${String(sizeMiB)}`;
  if (!Number.isInteger(sizeMiB)) return `the size of ${what} must be a whole number of MiB, got ${sizeMiB}`;
  if (sizeMiB <= 0) return `the size of ${what} must be positive, got ${sizeMiB} MiB`;
  if (sizeMiB < limits.minMiB) return `${what} needs at least ${limits.minMiB} MiB, got ${sizeMiB} MiB`;
  if (sizeMiB > limits.maxMiB) return `${what} can be at most ${limits.maxMiB} MiB, got ${sizeMiB} MiB`;
  return undefined;
}

/** Whole GiB holding `sizeMiB`, rounded up (1 MiB → 1 GiB, 1025 MiB → 2 GiB). */
export function gibRoundedUp(sizeMiB: number): number {
  return Math.ceil(sizeMiB / MIB_PER_GIB);
}
