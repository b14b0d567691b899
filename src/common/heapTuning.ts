// How V8 manages the heap of a long-running scheduler process. Set once, at
// the start of `ferry scheduler`, before the state is loaded; it changes how
// memory is collected, never what the program does.

import v8 from 'node:v8';

/**
 * Turns off V8's allocation-site pretenuring. An offer round builds all of
 * its objects (1,000 decoded offers, their resources, the round's working
 * set) before any of them dies, so a young-generation collection that falls
 * inside a round finds nearly all of them alive; V8 then marks those
 * allocation sites "long-lived" and allocates every later round's objects
 * straight into the old generation, where only full collections reclaim
 * them. With 10,000 apps that took an offer round from about 3 to about 9 ms
 * of CPU (docs/benchmarks.md, "scheduler at scale"). Without pretenuring,
 * round garbage dies young and the world's long-lived records are promoted
 * after surviving two young collections, as any object is.
 */
export function tuneHeapForOfferRounds(): void {
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
}
