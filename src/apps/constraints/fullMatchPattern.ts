// Regular expressions of LIKE/UNLIKE constraints, matched against the whole
// value as Marathon (Java's String.matches) does. Compiled once per pattern,
// since offer rounds test thousands of agents; never throws on a bad pattern.

const compiled = new Map<string, RegExp | string>();
const MAX_CACHED = 1000;

/** The compiled full-match expression, or the reason the pattern does not compile. */
export function fullMatchPattern(pattern: string): RegExp | string {
  let entry = compiled.get(pattern);
  if (entry === undefined) {
    try {
      // compiled alone first: a pattern such as "a)|(b" must fail, not turn
      // into a different expression once wrapped
      new RegExp(pattern);
      entry = new RegExp(`^(?:${pattern})$`);
    } catch (e) {
      entry = e instanceof Error ? e.message : String(e);
    }
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(pattern, entry);
  }
  return entry;
}

/** Whether the whole of `value` matches `pattern`; undefined when the pattern does not compile. */
export function fullyMatches(pattern: string, value: string): boolean | undefined {
  const re = fullMatchPattern(pattern);
  return typeof re === 'string' ? undefined : re.test(value);
}
