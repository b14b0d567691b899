// Turns tap's closing summary ("# { total: N, pass: N, fail: N, ... }") in a
// run's log into one plain line, "N passed, N failed". A run whose log has no
// summary (tap crashed, or ran nothing) says so and counts as a failure.
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8').split('\n');
const summary = lines.filter((l) => /^# \{ total: \d+/.test(l)).pop();
if (summary === undefined) {
  console.log('tap printed no summary: no test ran to completion');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const count = (name) => Number((new RegExp(`\\b${name}: (\\d+)`).exec(summary) ?? [])[1] ?? 0);
console.log(`${count('pass')} passed, ${count('fail')} failed`);
