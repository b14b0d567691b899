// The errors the simulator hands to its callers: an unknown id in a fault
// request, and options that cannot start a simulator. Each carries a code and
// a message that says what to change; nothing here decides behaviour.

export type SimErrorCode = 'NOT_FOUND' | 'BAD_OPTION';

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
