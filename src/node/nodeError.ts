// The errors of node-plane work on an agent, as values with a code a caller
// (the move orchestrator, through the CLI's JSON line) can act on and a
// message naming what to do. Nothing on the node plane fails silently.

export type NodeErrorCode =
  /** the request can never succeed as given */
  | 'INVALID'
  /** refused for safety: a path escaping its root, a double mount, a volume assigned to another agent */
  | 'REFUSED'
  /** still in use (a process holds the mount); stop it or force */
  | 'BUSY'
  /** a host tool (losetup, mount, mkfs, fuser) failed */
  | 'COMMAND_FAILED'
  /** the copy connection broke or could not be made; the destination stays resumable */
  | 'CONNECTION'
  /** a received block did not match the sender's hash */
  | 'CORRUPT_BLOCK'
  /** the final manifests of sender and receiver differ */
  | 'VERIFY_FAILED'
  /** the peer spoke something else than the copy protocol, or broke its rules */
  | 'PROTOCOL'
  /** the peer did not present the transfer's token */
  | 'AUTH'
  /** the receiver waited too long for a sender */
  | 'IDLE_TIMEOUT';

export class NodeError extends Error {
  override name = 'NodeError';
  constructor(
    readonly code: NodeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}
