// Durations as stout prints them ("5secs", "500ms", "1mins", "2.5hrs"): the
// largest unit the value reaches, unless a smaller unit gives a whole number.
// Executors read MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD in this form. Pure.

const UNITS: [string, number][] = [
  ['ns', 1],
  ['us', 1e3],
  ['ms', 1e6],
  ['secs', 1e9],
  ['mins', 60e9],
  ['hrs', 3600e9],
  ['days', 86400e9],
  ['weeks', 604800e9],
];

export function formatDuration(nanoseconds: number): string {
  const sign = nanoseconds < 0 ? '-' : '';
  const ns = Math.abs(nanoseconds);
  let bucket = 0;
  while (bucket + 1 < UNITS.length && ns >= UNITS[bucket + 1]![1]) bucket++;
  // A value that is not whole in its bucket but is whole one unit down reads better there.
  if (bucket > 0 && ns % UNITS[bucket]![1] !== 0 && ns % UNITS[bucket - 1]![1] === 0) bucket--;
  const [unit, size] = UNITS[bucket]!;
  return `${sign}${Number((ns / size).toPrecision(15))}${unit}`;
}
