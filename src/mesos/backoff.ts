// Exponential backoff with jitter and a cap, for resubscribing to Mesos and
// anything else that retries a remote. Holds no timers: it only says how long
// to wait next; the caller sleeps.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** 0 = no jitter; 0.5 = each delay drawn from [50%, 100%] of the nominal value */
  jitter?: number;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    if (!(options.initialMs > 0) || !(options.maxMs >= options.initialMs)) {
      throw new Error(`backoff needs 0 < initialMs <= maxMs (got ${options.initialMs}, ${options.maxMs})`);
    }
    this.jitter = options.jitter ?? 0.5;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; each call doubles the nominal delay up to the cap. */
  next(): number {
    const nominal = Math.min(this.options.maxMs, this.options.initialMs * 2 ** this.attempt);
    if (nominal < this.options.maxMs) this.attempt++;
    return Math.round(nominal * (1 - this.jitter * this.random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}
