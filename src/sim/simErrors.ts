// The errors the simulator hands to its callers: an unknown id in a fault
// request, options that cannot start a simulator, and an operator request the
// master refused. Each carries a code and a message that says what to change;
// nothing here decides behaviour.

export type SimErrorCode = 'NOT_FOUND' | 'BAD_OPTION' | 'REFUSED';

export class SimError extends Error {
  override name = 'SimError';
  constructor(
    readonly code: SimErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A fault or query named an agent or task the simulator does not have. */
export class SimNotFoundError extends SimError {
  override name = 'SimNotFoundError';
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** An option (or CLI flag) that the simulator cannot work with. */
export class SimOptionError extends SimError {
  override name = 'SimOptionError';
  constructor(message: string) {
    super('BAD_OPTION', message);
  }
}

/** The master refused an operator request (its 400/409/503 answer), e.g. reactivating a DRAINING agent. */
export class SimRefusedError extends SimError {
  override name = 'SimRefusedError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super('REFUSED', message);
  }
}
