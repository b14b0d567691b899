// An app's ports from portDefinitions or the legacy ports array, with
// Marathon's default (one dynamic port named "default") and its uniqueness
// rules. Ferry allocates host ports only: a fixed port must be required.

import type { PortSpec } from './appSpec.js';
import type { PortDefinitionShape } from './appDefinitionShape.js';
import { childPath, type FieldError } from './fieldError.js';

const PORT_NAME = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;

export interface PortsInput {
  portDefinitions?: PortDefinitionShape[] | null | undefined;
  ports?: number[] | null | undefined;
  requirePorts?: boolean | null | undefined;
}

function fromLegacy(ports: readonly number[]): PortSpec[] {
  return ports.map((port) => ({ port, protocol: 'tcp', labels: {} }));
}

function fromDefinitions(definitions: readonly PortDefinitionShape[]): PortSpec[] {
  return definitions.map((d) => {
    const spec: PortSpec = { port: d.port ?? 0, protocol: d.protocol ?? 'tcp', labels: d.labels ?? {} };
    if (d.name !== null && d.name !== undefined) spec.name = d.name;
    return spec;
  });
}

/** The app's ports, or errors naming the field at fault. */
export function normalizePorts(input: PortsInput, errors: FieldError[]): PortSpec[] {
  const { portDefinitions, ports } = input;
  const hasDefinitions = portDefinitions !== null && portDefinitions !== undefined;
  const hasLegacy = ports !== null && ports !== undefined;
  if (hasDefinitions && hasLegacy) {
    // Marathon's GET shows both; they agree then, and Marathon accepts them back.
    const same = ports.length === portDefinitions.length && ports.every((p, i) => p === (portDefinitions[i]?.port ?? 0));
    if (!same) {
      errors.push({ field: 'ports', message: 'give portDefinitions or the legacy ports, not both: here they differ' });
      return [];
    }
  }
  const field = hasDefinitions ? 'portDefinitions' : 'ports';
  const specs = hasDefinitions
    ? fromDefinitions(portDefinitions)
    : hasLegacy
      ? fromLegacy(ports)
      : [{ port: 0, name: 'default', protocol: 'tcp' as const, labels: {} }];

  const names = new Map<string, number>();
  const numbers = new Map<number, number>();
  specs.forEach((spec, i) => {
    const at = childPath(field, i);
    if (spec.name !== undefined) {
      if (!PORT_NAME.test(spec.name)) {
        errors.push({
          field: childPath(at, 'name'),
          message: `"${spec.name}" is not a valid port name: use lowercase letters, digits and '-', starting and ending with a letter or digit`,
        });
      }
      const earlier = names.get(spec.name);
      if (earlier !== undefined) {
        errors.push({ field: childPath(at, 'name'), message: `port names must be unique: "${spec.name}" is also ${field}[${earlier}]` });
      } else names.set(spec.name, i);
    }
    if (spec.port === 0) return;
    const portField = hasDefinitions ? childPath(at, 'port') : at;
    const earlier = numbers.get(spec.port);
    if (earlier !== undefined) {
      errors.push({ field: portField, message: `ports must be unique: ${spec.port} is also ${field}[${earlier}]` });
    } else numbers.set(spec.port, i);
    if (input.requirePorts !== true) {
      errors.push({
        field: portField,
        message:
          `port ${spec.port} would be a Marathon service port, which Ferry does not allocate: ` +
          `set "requirePorts": true to ask for host port ${spec.port}, or use 0 for any free port`,
      });
    }
  });
  return specs;
}
