// A Prometheus histogram read from /metrics text, and the quantiles of what it
// observed between two scrapes, interpolated within buckets the way
// Prometheus's histogram_quantile() does. Quantiles are only as fine as the
// buckets: say so next to any figure taken from here.

export interface HistogramReading {
  /** cumulative counts by upper bound, ascending; the last bound is +Inf */
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

/** The unlabelled histogram `name` in a text exposition; undefined when absent. */
export function readHistogram(text: string, name: string): HistogramReading | undefined {
  const buckets: { le: number; count: number }[] = [];
  let sum: number | undefined;
  let count: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    const series = line.slice(0, at);
    const value = Number(line.slice(at + 1));
    const bucket = /^(\S+)_bucket\{le="([^"]+)"\}$/.exec(series);
    if (bucket !== null && bucket[1] === name) buckets.push({ le: bucket[2] === '+Inf' ? Infinity : Number(bucket[2]), count: value });
    else if (series === `${name}_sum`) sum = value;
    else if (series === `${name}_count`) count = value;
  }
  if (sum === undefined || count === undefined || buckets.length === 0) return undefined;
  buckets.sort((a, b) => a.le - b.le);
  return { buckets, sum, count };
}

/** What was observed after `before` up to `after` (two readings of one histogram in one process). */
export function histogramDelta(before: HistogramReading, after: HistogramReading): HistogramReading {
  return {
    buckets: after.buckets.map((b, i) => ({ le: b.le, count: b.count - (before.buckets[i]?.count ?? 0) })),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

/** The q-quantile (0..1), linear within its bucket; undefined with no observations or when it falls in +Inf. */
export function histogramQuantile(h: HistogramReading, q: number): number | undefined {
  if (h.count <= 0) return undefined;
  const rank = q * h.count;
  let lower = 0;
  let below = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return undefined;
      const inBucket = b.count - below;
      return inBucket <= 0 ? b.le : lower + ((b.le - lower) * (rank - below)) / inBucket;
    }
    lower = b.le;
    below = b.count;
  }
  return undefined;
}
