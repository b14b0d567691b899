// Builders for backend tests: agents as the control plane sees them, and a
// step hook a test arms to crash a control-plane call after a named step.

import type { AgentRef } from '../../src/backends/backend.js';
import { SimulatedCrash, type StepHook } from '../../src/backends/stepHook.js';

export function agentRef(agentId: string, attributes: Record<string, string> = {}, hostname = `${agentId}.example`): AgentRef {
  return { agentId, hostname, attributes };
}

/** A step hook and the switch that arms it: the armed step throws once, then the hook is quiet again. */
export function crashSwitch(): { hook: StepHook; crashAfter: (step: string) => void } {
  let armed: string | undefined;
  return {
    hook: (step) => {
      if (step !== armed) return;
      armed = undefined;
      throw new SimulatedCrash(step);
    },
    crashAfter: (step) => {
      armed = step;
    },
  };
}
