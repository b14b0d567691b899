// Which value of an agent a constraint's field names: "hostname" (or
// Marathon's "@hostname") is the agent's hostname, any other field one of its
// attributes. A missing attribute is undefined, never an empty string.

export interface AgentFacts {
  hostname: string;
  /** attribute name → text, as marathonAttributeText builds it */
  attributes: Readonly<Record<string, string>>;
}

/** An agent that holds one of the app's other instances. */
export interface PlacedInstance extends AgentFacts {
  /** the instance index, when known; reasons then name the instance */
  instance?: number;
}

export const HOSTNAME_FIELDS: readonly string[] = ['hostname', '@hostname'];

export function agentFieldValue(field: string, agent: AgentFacts): string | undefined {
  if (HOSTNAME_FIELDS.includes(field)) return agent.hostname;
  // own properties only: an attribute named "constructor" must not find Object's
  return Object.prototype.hasOwnProperty.call(agent.attributes, field) ? agent.attributes[field] : undefined;
}
