// The identifiers a Mesos master hands out, in Mesos's formats: master UUIDs,
// "<master>-0000" frameworks, "<master>-S<n>" agents, "<master>-O<n>" offers,
// base64 status uuids. It never reuses a number within one master run.

import { randomBytes, randomUUID } from 'node:crypto';

export class MasterIds {
  private frameworks = 0;
  private agents = 0;
  private offers = 0;

  constructor(readonly masterId: string = randomUUID()) {}

  /** Mesos formats framework ids as "%s-%04d". */
  nextFrameworkId(): string {
    return `${this.masterId}-${String(this.frameworks++).padStart(4, '0')}`;
  }

  nextAgentId(): string {
    return `${this.masterId}-S${this.agents++}`;
  }

  nextOfferId(): string {
    return `${this.masterId}-O${this.offers++}`;
  }
}

/** A random (version 4) UUID as the base64 of its 16 bytes: TaskStatus.uuid's JSON form. */
export function newStatusUuid(): string {
  const bytes = randomBytes(16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return bytes.toString('base64');
}

/**
 * Whether base64 text holds a UUID as Mesos accepts one (stout's
 * UUID::fromBytes): exactly 16 bytes with a known version (1 to 5).
 */
export function isValidUuidBytes(base64: string): boolean {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== 16) return false;
  const version = bytes[6]! >> 4;
  return version >= 1 && version <= 5;
}

export function newContainerId(): string {
  return randomUUID();
}

export function newStreamId(): string {
  return randomUUID();
}
