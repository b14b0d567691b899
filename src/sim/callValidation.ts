// A master's checks on a scheduler Call and on a FrameworkInfo
// (validation.cpp), with upstream's messages. Pure functions: they return an
// error message or undefined and never change anything.

import type { WireCall } from '../mesos/calls.js';
import type { FrameworkInfo } from '../mesos/types.js';
import { isValidUuidBytes } from './ids.js';

/** scheduler::call::validate; the HTTP answer prefixes "Failed to validate scheduler::Call: ". */
export function validateCall(call: WireCall, principal: string | undefined): string | undefined {
  if ((call as { type?: unknown }).type === undefined) return "Expecting 'type' to be present";

  if (call.type === 'SUBSCRIBE') {
    if (call.subscribe === undefined) return "Expecting 'subscribe' to be present";
    const info = call.subscribe.framework_info;
    if ((info.id?.value ?? undefined) !== (call.framework_id?.value ?? undefined)) {
      return "'framework_id' differs from 'subscribe.framework_info.id'";
    }
    if (principal !== undefined && info.principal !== undefined && principal !== info.principal) {
      return `Authenticated principal '${principal}' does not match principal '${info.principal}' set in \`FrameworkInfo\``;
    }
    return undefined;
  }

  if (call.framework_id === undefined) return "Expecting 'framework_id' to be present";

  const present = (field: string): string | undefined =>
    (call as unknown as Record<string, unknown>)[field] === undefined ? `Expecting '${field}' to be present` : undefined;

  switch (call.type) {
    case 'TEARDOWN':
    case 'REVIVE':
    case 'SUPPRESS':
      return undefined;
    case 'ACCEPT':
      return present('accept');
    case 'DECLINE':
      return present('decline');
    case 'ACCEPT_INVERSE_OFFERS':
      return present('accept_inverse_offers');
    case 'DECLINE_INVERSE_OFFERS':
      return present('decline_inverse_offers');
    case 'KILL':
      return present('kill');
    case 'SHUTDOWN':
      return present('shutdown');
    case 'ACKNOWLEDGE': {
      const missing = present('acknowledge');
      if (missing !== undefined) return missing;
      return isValidUuidBytes(call.acknowledge.uuid) ? undefined : 'Not a valid UUID';
    }
    case 'RECONCILE':
      return present('reconcile');
    case 'MESSAGE':
      return present('message');
    case 'REQUEST':
      return present('request');
    case 'UPDATE_FRAMEWORK': {
      const missing = present('update_framework');
      if (missing !== undefined) return missing;
      if (call.framework_id.value !== call.update_framework.framework_info.id?.value) {
        return "'framework_id' differs from 'update_framework.framework_info.id'";
      }
      return undefined;
    }
    default: {
      // Operation feedback calls exist in Mesos's enum, but this proto subset carries no
      // fields for them, so they can never be complete; UNKNOWN passes and gets 501 later.
      const type = (call as { type: string }).type;
      if (type === 'ACKNOWLEDGE_OPERATION_STATUS') return "Expecting 'acknowledge_operation_status' to be present";
      if (type === 'RECONCILE_OPERATIONS') return "Expecting 'reconcile_operations' to be present";
      return undefined;
    }
  }
}

/** Roles a framework subscribes with: `roles` for MULTI_ROLE frameworks, else `role` (default "*"). */
export function frameworkRoles(info: FrameworkInfo): string[] {
  if (hasCapability(info, 'MULTI_ROLE')) return [...(info.roles ?? [])];
  return [info.role ?? '*'];
}

export function hasCapability(info: FrameworkInfo, type: string): boolean {
  return (info.capabilities ?? []).some((c) => c.type === type);
}

/** validation::framework::validate plus the master's own checks (validateFramework). */
export function validateFrameworkInfo(info: FrameworkInfo): string | undefined {
  const multiRole = hasCapability(info, 'MULTI_ROLE');
  if (multiRole && info.role !== undefined) {
    return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
  }
  if (!multiRole && (info.roles ?? []).length > 0) {
    return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable";
  }
  if (multiRole) {
    const roles = info.roles ?? [];
    const duplicates = [...new Set(roles.filter((r, i) => roles.indexOf(r) !== i))];
    if (duplicates.length > 0) return `'FrameworkInfo.roles' contains duplicate items: { ${duplicates.join(', ')} }`;
    for (const role of roles) {
      const error = validateRole(role);
      if (error !== undefined) return `'FrameworkInfo.roles' contains invalid role: ${error}`;
    }
  } else {
    const error = validateRole(info.role ?? '*');
    if (error !== undefined) return `'FrameworkInfo.role' is not a valid role: ${error}`;
  }
  if (info.id !== undefined && info.id.value !== '') {
    const error = validateId(info.id.value);
    if (error !== undefined) return error;
  }
  const timeout = info.failover_timeout ?? 0;
  if (!Number.isFinite(timeout) || Math.abs(timeout * 1e9) > 9.2e18) {
    return `The framework failover_timeout (${timeout}) is invalid`;
  }
  return undefined;
}

/** validation::framework::validateUpdate: what a resubscription or UPDATE_FRAMEWORK may not change. */
export function validateFrameworkUpdate(oldInfo: FrameworkInfo, newInfo: FrameworkInfo): string | undefined {
  if (oldInfo.principal !== newInfo.principal) return "Changing framework's principal is not allowed.";
  if (oldInfo.user !== newInfo.user) {
    return `Updating 'FrameworkInfo.user' is unsupported; attempted to update from '${oldInfo.user}' to '${newInfo.user}'`;
  }
  if ((oldInfo.checkpoint ?? false) !== (newInfo.checkpoint ?? false)) {
    return `Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from '${oldInfo.checkpoint ?? false}' to '${newInfo.checkpoint ?? false}'`;
  }
  return undefined;
}

/** roles::validate. */
export function validateRole(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role.startsWith('/')) return `Role '${role}' cannot start with a slash`;
  if (role.endsWith('/')) return `Role '${role}' cannot end with a slash`;
  if (role.includes('//')) return `Role '${role}' cannot contain two adjacent slashes`;
  const components = role.split('/').filter((c) => c !== '');
  if (components.length === 0) return 'Role names cannot be the empty string';
  for (const c of components) {
    if (c === '.') return `Role '${role}' cannot include '.' as a component`;
    if (c === '..') return `Role '${role}' cannot include '..' as a component`;
    if (c === '*') return `Role '${role}' cannot include '*' as a component`;
    if (c.startsWith('-')) return `Role component '${c}' is invalid because it starts with a dash`;
    if (/[\x08\s]/.test(c)) return `Role component '${c}' is invalid because it contains backspace or whitespace`;
  }
  return undefined;
}

/** common::validation::validateID (task, framework and executor ids). */
export function validateId(id: string): string | undefined {
  if (id === '') return 'ID must not be empty';
  if (id.length > 255) return 'ID must not be greater than 255 characters';
  if (id === '.' || id === '..') return `'${id}' is disallowed`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f/\\]/.test(id)) return `'${id}' contains invalid characters`;
  return undefined;
}
