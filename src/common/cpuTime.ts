// Process CPU time (user + system, every thread: the collector's helpers and
// libuv's pool included) spent since a reading, for figures that say what a
// piece of work cost rather than how long it waited.

/** Microseconds of process CPU since `start` (a process.cpuUsage() reading). */
export function cpuMicrosSince(start: NodeJS.CpuUsage): number {
  const spent = process.cpuUsage(start);
  return spent.user + spent.system;
}
