// Keeps the UI current: reads Ferry's event stream (GET /v1/events) and hands
// each event on; while there is no stream (a server without one answers 404,
// or the connection broke) it polls instead, and keeps trying the stream.
// The stream is read with fetch rather than EventSource so that it can carry
// the bearer token and so that a 404 or 401 is seen as such.

import { authHeaders, reportAuthProblem } from './api.js';
import { SseParser } from './sseParser.js';

const EVENTS_PATH = '/v1/events';
const NO_STREAM_RETRY_MS = 60_000;
const MAX_BACKOFF_MS = 15_000;
const SAFETY_REFRESH_MS = 30_000;

export class LiveUpdates {
  /**
   * onEvent(type, data): one event from the stream (data parsed from JSON when it is JSON)
   * refresh(): read everything again (on connect, and on each poll)
   * onMode(mode, text): 'connecting' | 'live' | 'polling' | 'reconnecting' | 'auth', with words for a person
   */
  constructor({ onEvent, refresh, onMode, pollMs = 2000 }) {
    this.onEvent = onEvent;
    this.refresh = refresh;
    this.onMode = onMode;
    this.pollMs = pollMs;
    this.generation = 0;
    this.pollTimer = undefined;
    this.safetyTimer = undefined;
    this.controller = undefined;
    this.wakeUp = undefined;
  }

  start() {
    this.stop();
    const generation = ++this.generation;
    this.safetyTimer = setInterval(() => this.refresh(), SAFETY_REFRESH_MS);
    void this.run(generation);
  }

  stop() {
    this.generation++;
    this.controller?.abort();
    this.wakeUp?.();
    this.stopPolling();
    clearInterval(this.safetyTimer);
  }

  async run(generation) {
    let backoff = 1000;
    this.setMode('connecting', 'connecting to the event stream…');
    while (generation === this.generation) {
      const controller = new AbortController();
      this.controller = controller;
      let res;
      try {
        res = await fetch(EVENTS_PATH, { headers: { Accept: 'text/event-stream', ...authHeaders() }, cache: 'no-store', signal: controller.signal });
      } catch {
        res = undefined;
      }
      if (generation !== this.generation) return;

      if (res !== undefined && [404, 405, 501].includes(res.status)) {
        void res.body?.cancel();
        this.setMode('polling', `polling every ${this.pollMs / 1000} s (this server has no event stream)`);
        this.startPolling();
        await this.sleep(NO_STREAM_RETRY_MS);
        continue;
      }
      if (res !== undefined && (res.status === 401 || res.status === 403)) {
        const message = await res.text().then((t) => JSON.parse(t).message).catch(() => res.statusText);
        reportAuthProblem(res.status, message);
        this.setMode('auth', `the event stream needs a valid token (${res.status}); polling meanwhile`);
        this.startPolling();
        await this.sleep(MAX_BACKOFF_MS);
        continue;
      }
      const streaming = res !== undefined && res.ok && res.body !== null && (res.headers.get('Content-Type') ?? '').startsWith('text/event-stream');
      if (!streaming) {
        void res?.body?.cancel();
        this.setMode('reconnecting', `the event stream is unavailable (${res === undefined ? 'no connection' : res.status}); polling until it is back`);
        this.startPolling();
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }

      this.stopPolling();
      this.setMode('live', 'live updates');
      backoff = 1000;
      // events from now on arrive on the stream; this read catches up on what came before
      this.refresh();
      const parser = new SseParser((event) => this.dispatch(event));
      try {
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.push(value);
        }
      } catch {
        // the connection broke or was aborted: decided below
      }
      if (generation !== this.generation) return;
      this.setMode('reconnecting', 'the event stream ended; reconnecting, polling meanwhile');
      this.startPolling();
      await this.sleep(parser.retryMs ?? 1000);
    }
  }

  dispatch(event) {
    let data = event.data;
    try {
      data = JSON.parse(event.data);
    } catch {
      // not JSON: handed on as text
    }
    this.onEvent(event.type, data);
  }

  setMode(mode, text) {
    this.mode = mode;
    this.onMode(mode, text);
  }

  startPolling() {
    if (this.pollTimer !== undefined) return;
    this.refresh();
    this.pollTimer = setInterval(() => {
      if (!document.hidden) this.refresh();
    }, this.pollMs);
  }

  stopPolling() {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
