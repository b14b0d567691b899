// Fixtures for the app tests: Marathon definitions, volumes and agents built
// from small defaults, plus helpers that parse and insist on the outcome.

import { parseAppDefinition, type ParseAppOptions } from '../../src/apps/appDefinition.js';
import type { AppSpec } from '../../src/apps/appSpec.js';
import type { PlacedInstance } from '../../src/apps/constraints/agentField.js';
import type { FieldError } from '../../src/apps/fieldError.js';

export type Json = Record<string, unknown>;

/** A minimal valid definition: a command, nothing else. */
export function appDefinition(overrides: Json = {}): Json {
  return { id: '/counter', cmd: 'sleep 1000', ...overrides };
}

export function externalVolume(external: Json = {}, volume: Json = {}): Json {
  return {
    containerPath: 'data',
    mode: 'RW',
    external: { name: 'kv-data', size: 1, provider: 'ferry', ...external },
    ...volume,
  };
}

export function persistentVolume(persistent: Json = {}, volume: Json = {}): Json {
  return { containerPath: 'data', mode: 'RW', persistent: { size: 512, ...persistent }, ...volume };
}

/** A definition whose container holds exactly these volumes. */
export function withVolumes(volumes: Json[], overrides: Json = {}): Json {
  return appDefinition({ container: { type: 'MESOS', volumes }, ...overrides });
}

/** Parses and returns the spec; fails loudly (with the errors) when the definition is refused. */
export function accepted(input: unknown, options?: ParseAppOptions): { spec: AppSpec; definition: Json } {
  const result = parseAppDefinition(input, options);
  if (!result.ok) throw new Error(`expected the definition to be accepted, got ${JSON.stringify(result.errors)}`);
  return result;
}

/** Parses and returns the errors; fails loudly when the definition is accepted. */
export function refused(input: unknown, options?: ParseAppOptions): FieldError[] {
  const result = parseAppDefinition(input, options);
  if (result.ok) throw new Error(`expected the definition to be refused, got ${JSON.stringify(result.spec)}`);
  return result.errors;
}

/** The one error a definition is refused with (fails if there are several). */
export function onlyError(input: unknown, options?: ParseAppOptions): FieldError {
  const errors = refused(input, options);
  if (errors.length !== 1) throw new Error(`expected exactly one error, got ${JSON.stringify(errors)}`);
  return errors[0] as FieldError;
}

export function agent(hostname: string, attributes: Record<string, string> = {}): { hostname: string; attributes: Record<string, string> } {
  return { hostname, attributes };
}

export function placedOn(instance: number, hostname: string, attributes: Record<string, string> = {}): PlacedInstance {
  return { instance, hostname, attributes };
}
