// A small server-sent-events reader for the API tests: it opens GET
// /v1/events over a real socket, parses frames (events and comments) as they
// arrive, and lets a test wait until something it expects has come.

import { waitFor } from '../support/ferryProcess.js';

export interface SseEvent {
  id?: string;
  type: string;
  data: unknown;
}

export interface SseStream {
  status: number;
  contentType: string;
  events: SseEvent[];
  comments: string[];
  /** true once the server ended the stream */
  ended(): boolean;
  next(match: (e: SseEvent) => boolean, timeoutMs?: number, what?: string): Promise<SseEvent>;
  close(): void;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function openEvents(t: Teardown, base: string, headers: Record<string, string> = {}, scheme = 'http'): Promise<SseStream> {
  const controller = new AbortController();
  const res = await fetch(`${scheme}://${base}/v1/events`, { headers: { Accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let done = false;
  const stream: SseStream = {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    events,
    comments,
    ended: () => done,
    async next(match, timeoutMs = 15_000, what = 'an expected event') {
      let found: SseEvent | undefined;
      await waitFor(
        () => (found = events.find(match)) !== undefined,
        timeoutMs,
        () => `${what} never came; got ${JSON.stringify(events.map((e) => [e.type, e.data]))}`,
        20,
      );
      return found!;
    },
    close: () => controller.abort(),
  };
  t.teardown(() => controller.abort());
  if (res.status !== 200 || res.body === null) {
    done = true;
    return stream;
  }
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          parseBlock(block, events, comments);
        }
      }
    } catch {
      // aborted by the test or cut by the server
    }
    done = true;
  })();
  return stream;
}

function parseBlock(block: string, events: SseEvent[], comments: string[]): void {
  let type = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) comments.push(line.slice(1).trim());
    else if (line.startsWith('event:')) type = line.slice(6).trim();
    else if (line.startsWith('id:')) id = line.slice(3).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length === 0) return;
  const text = data.join('\n');
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  events.push({ ...(id !== undefined ? { id } : {}), type, data: parsed });
}
