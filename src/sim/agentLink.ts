// The network between the master and one agent: up (ordered, asynchronous),
// partitioned (no pings; the agent's messages lost, the master's held) or down.
// It carries messages and never interprets them.

import type { AgentToMasterMessage, MasterToAgentMessage } from './agentProtocol.js';

export type LinkState = 'up' | 'partitioned' | 'down';

export interface LinkEndpoints {
  deliverToAgent(message: MasterToAgentMessage): void;
  deliverToMaster(message: AgentToMasterMessage): void;
}

/**
 * Partitioned: the agent answers no pings, what it sends is lost, and what the
 * master sends waits (like a frozen peer's TCP buffer) until the partition heals
 * or the master gives up on the agent. Down: the host is off; nothing crosses.
 */
export class AgentLink {
  private stateValue: LinkState = 'up';
  private held: MasterToAgentMessage[] = [];

  constructor(private readonly endpoints: LinkEndpoints) {}

  get state(): LinkState {
    return this.stateValue;
  }

  answersPings(): boolean {
    return this.stateValue === 'up';
  }

  toAgent(message: MasterToAgentMessage): void {
    switch (this.stateValue) {
      case 'up':
        setImmediate(() => {
          if (this.stateValue === 'up') this.endpoints.deliverToAgent(message);
          else if (this.stateValue === 'partitioned') this.held.push(message);
        });
        return;
      case 'partitioned':
        this.held.push(message);
        return;
      case 'down':
        return;
    }
  }

  toMaster(message: AgentToMasterMessage): void {
    if (this.stateValue !== 'up') return;
    setImmediate(() => {
      if (this.stateValue === 'up') this.endpoints.deliverToMaster(message);
    });
  }

  partition(): void {
    if (this.stateValue === 'up') this.stateValue = 'partitioned';
  }

  /** Ends a partition; held messages are delivered when `deliverHeld`, else dropped. */
  heal(deliverHeld: boolean): void {
    if (this.stateValue !== 'partitioned') return;
    this.stateValue = 'up';
    const held = this.held;
    this.held = [];
    if (deliverHeld) for (const message of held) this.toAgent(message);
  }

  /** The agent's host went down: nothing crosses any more. */
  down(): void {
    this.stateValue = 'down';
    this.held = [];
  }

  /** The agent's host is back; a fresh connection. */
  up(): void {
    this.stateValue = 'up';
    this.held = [];
  }

  /** A new master took over: messages the old one queued die with it. */
  dropHeld(): void {
    this.held = [];
  }
}
