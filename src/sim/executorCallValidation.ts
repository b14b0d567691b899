// An agent's checks on an executor Call (common/validation.cpp
// validateExecutorCall), with upstream's messages. Pure: an error message or
// undefined; the HTTP answer prefixes "Failed to validate Executor::Call: ".

import type { ExecutorCall } from '../mesos/executorTypes.js';
import { isValidUuidBytes } from './ids.js';

export function validateExecutorCall(call: ExecutorCall): string | undefined {
  if ((call as { type?: unknown }).type === undefined) return "Expecting 'type' to be present";
  switch (call.type) {
    case 'SUBSCRIBE':
      return call.subscribe === undefined ? "Expecting 'subscribe' to be present" : undefined;
    case 'UPDATE': {
      if (call.update === undefined) return "Expecting 'update' to be present";
      const status = call.update.status;
      if (status.uuid === undefined) return "Expecting 'uuid' to be present";
      if (!isValidUuidBytes(status.uuid)) return 'Not a valid UUID';
      if (status.executor_id !== undefined && status.executor_id.value !== call.executor_id.value) {
        return `ExecutorID in Call: ${call.executor_id.value} does not match ExecutorID in TaskStatus: ${status.executor_id.value}`;
      }
      if (status.source !== 'SOURCE_EXECUTOR') {
        return `Received Call from executor ${call.executor_id.value} of framework ${call.framework_id.value} with invalid source, expecting 'SOURCE_EXECUTOR'`;
      }
      if (status.state === 'TASK_STAGING') {
        return `Received TASK_STAGING from executor ${call.executor_id.value} of framework ${call.framework_id.value} which is not allowed`;
      }
      return undefined;
    }
    case 'MESSAGE':
      return call.message === undefined ? "Expecting 'message' to be present" : undefined;
    case 'HEARTBEAT':
    case 'UNKNOWN':
      return undefined;
  }
}
