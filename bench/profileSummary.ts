// Prints where a .cpuprofile (from `node --cpu-prof`) spent its time: self
// time by function and by file, the idle time left out of the shares.
//
//   node dist/bench/profileSummary.js FILE.cpuprofile [--top 25]

import { loadProfile, printSummary, summarizeProfile } from './support/cpuProfile.js';
import { FERRY_ROOT } from './support/paths.js';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: node dist/bench/profileSummary.js FILE.cpuprofile [--top N]');
  process.exit(2);
}
const topAt = process.argv.indexOf('--top');
const top = topAt > 0 ? Number(process.argv[topAt + 1]) : 25;
const summary = summarizeProfile(loadProfile(file), FERRY_ROOT, undefined, top);
printSummary(file, summary, top);
