// Loads the Mesos v1 .proto files from proto/ with protobufjs, keeping Mesos's
// snake_case field names, and hands out the reflected message types by name.
// Nothing else in Ferry reads .proto files.

import protobuf from 'protobufjs';
import { join } from 'node:path';
import { packageRoot } from '../common/packageRoot.js';

const PROTO_FILES = [
  'mesos/v1/mesos.proto',
  'mesos/v1/scheduler/scheduler.proto',
  'mesos/v1/allocator/allocator.proto',
  'mesos/v1/maintenance/maintenance.proto',
  'mesos/v1/master/master.proto',
  'mesos/v1/executor/executor.proto',
];

let root: protobuf.Root | undefined;

/** The protobufjs root holding every Mesos message Ferry declares. */
export function mesosRoot(): protobuf.Root {
  if (root !== undefined) return root;
  const protoDir = join(packageRoot(), 'proto');
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(protoDir, target));
  r.loadSync(PROTO_FILES, { keepCase: true });
  r.resolveAll();
  root = r;
  return r;
}

/** A message type by its full name, e.g. "mesos.v1.scheduler.Event". */
export function messageType(fullName: string): protobuf.Type {
  return mesosRoot().lookupType(fullName);
}

/** How decoded protobuf messages become plain objects: Mesos's own JSON form. */
export const TO_OBJECT_OPTIONS: protobuf.IConversionOptions = {
  enums: String,
  bytes: String,
  longs: Number,
  defaults: false,
  arrays: false,
  objects: false,
  oneofs: false,
  json: true,
};
