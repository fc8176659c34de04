/** Server-sent events from a response body, one message at a time (eventsource-parser does the parsing). */
import { createParser, type EventSourceMessage } from "eventsource-parser";

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
