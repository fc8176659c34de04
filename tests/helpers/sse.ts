/** A minimal server-sent-events client over fetch, for tests: collects events and comments as they arrive. */

export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

export interface SseReader {
  status: number;
  contentType: string | null;
  messages: SseMessage[];
  comments: string[];
  /** Resolves when the server ends the stream (or the reader is aborted). */
  ended: Promise<void>;
  /** Resolves once `predicate` holds for what has arrived so far; rejects after `timeoutMs`. */
  until(predicate: (r: SseReader) => boolean, timeoutMs: number, what?: string): Promise<void>;
  abort(): void;
}

export async function openSse(url: string, opts: { token?: string; headers?: Record<string, string> } = {}): Promise<SseReader> {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: "text/event-stream", ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(url, { headers, signal: controller.signal });
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  const reader: SseReader = {
    status: res.status,
    contentType: res.headers.get("content-type"),
    messages: [],
    comments: [],
    ended: Promise.resolve(),
    until(predicate, timeoutMs, what = "condition") {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(reader)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SSE: timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(reader.messages)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    abort: () => controller.abort(),
  };
  if (!res.body) return reader;
  reader.ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let at: number;
        while ((at = buffer.indexOf("\n\n")) >= 0) {
          parseBlock(buffer.slice(0, at), reader);
          buffer = buffer.slice(at + 2);
        }
        notify();
      }
    } catch (err) {
      if ((err as Error).name !== "AbortError") throw err;
    } finally {
      notify();
    }
  })();
  return reader;
}

function parseBlock(block: string, reader: SseReader) {
  let event = "message";
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) reader.comments.push(line.slice(1).trim());
    else if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    else if (line.startsWith("id:")) id = line.slice(3).trim();
  }
  if (data.length) reader.messages.push({ event, data: data.join("\n"), id });
}
