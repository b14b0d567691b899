// Named points between the durable steps of a control-plane call (after the
// image exists but before its metadata, after EC2 accepted a request but
// before the wait). Tests throw from the hook to simulate a crash there; in
// production it is absent and costs nothing. It must never change behaviour.

/** Called after each named step; throwing from it aborts the call at exactly that point. */
export type StepHook = (step: string) => void;

/** Thrown by test hooks to stand for a process that died between two steps. */
export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
  constructor(readonly step: string) {
    super(`simulated crash after step ${step}`);
  }
}
