/**
 * Server-sent events from a response body, one message at a time (eventsource-parser does the
 * parsing), and the reconnect loop every stream of the API shares (a tenant's events, its live
 * logs): a dropped connection is reopened with the last event id seen, so nothing is missed or
 * repeated.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { ConnectionError, ConvergenceError } from "./errors.js";
import { sleep } from "./http.js";

export interface SseMessage extends EventSourceMessage {}

/**
 * Yields each message as its last line arrives; `onRetry` hears the server's `retry:` field.
 * Ends when the server ends the body; leaving the loop early closes the connection.
 */
export async function* readSse(body: ReadableStream<Uint8Array>, onRetry?: (ms: number) => void): AsyncGenerator<SseMessage> {
  const queue: SseMessage[] = [];
  const parser = createParser({ onEvent: (message) => queue.push(message), onRetry });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      while (queue.length) yield queue.shift()!;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

export interface ReconnectOptions {
  /** Failed reconnections in a row before the iterator gives up and throws (default 10). */
  maxReconnects?: number;
  /** Wait before reconnecting (default 1 000 ms, or what the server's `retry:` says), doubled per failure in a row, at most 30 s. */
  reconnectDelayMs?: number;
  signal?: AbortSignal;
}

/**
 * The messages of a stream that `open` opens (after `lastEventId`, when there is one), across
 * dropped connections: when the body ends or breaks, it is opened again after the last `id:`
 * received. It never ends by itself: the caller returns when the stream's last message came (or
 * the signal aborts, which rejects with the signal's reason). An answer such as 404 or 401 is
 * final; a lost connection or a 503 is retried, `maxReconnects` times in a row without a message.
 */
export async function* followSse(
  what: string,
  open: (lastEventId: string | undefined, signal: AbortSignal) => Promise<ReadableStream<Uint8Array>>,
  options: ReconnectOptions & { lastEventId?: string } = {},
): AsyncGenerator<SseMessage> {
  const maxReconnects = options.maxReconnects ?? 10;
  let delayMs = options.reconnectDelayMs ?? 1000;
  let lastEventId = options.lastEventId;
  let failures = 0;
  let lastError: unknown;
  // Our own controller, so leaving the loop early also closes the connection.
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal!.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      try {
        const body = await open(lastEventId, stop.signal);
        for await (const message of readSse(body, (ms) => (delayMs = ms))) {
          if (message.id !== undefined) lastEventId = message.id;
          failures = 0;
          yield message;
        }
      } catch (err) {
        if (stop.signal.aborted) throw options.signal?.reason ?? err;
        if (err instanceof ConvergenceError && err.status !== null && err.status !== 503) throw err;
        lastError = err;
      }
      // The stream ended or dropped before its last message: reopen it after the last event seen.
      if (++failures > maxReconnects) {
        throw lastError ?? new ConnectionError(`${what} ended ${failures} times in a row without an event`);
      }
      await sleep(Math.min(30_000, delayMs * 2 ** (failures - 1)), stop.signal);
    }
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    stop.abort();
  }
}
