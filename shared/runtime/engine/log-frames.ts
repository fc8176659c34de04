/**
 * Docker's log framing, the same for a container's logs and a Swarm service's: the query for a
 * followed log, and the 8-byte-header frames a non-TTY stream multiplexes stdout and stderr into.
 */
import type { LogSince } from "../types.js";

/** Docker multiplexes stdout/stderr of a non-TTY container (and of a service's tasks) in 8-byte-header frames. */
export function demux(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString("utf8");
}

/** The engine's query for a followed log, stamped: the same for a container and a service. */
export function followQuery(opts: { since?: LogSince; tail?: number }, signal: AbortSignal) {
  return {
    stdout: true,
    stderr: true,
    follow: true as const,
    timestamps: true,
    ...(opts.since ? { since: opts.since } : {}),
    ...(opts.tail !== undefined ? { tail: opts.tail } : {}),
    abortSignal: signal,
  };
}

/**
 * The lines of a followed log stream as they arrive. Each frame is one log message (a line, or
 * part of an over-long one); a frame split across chunks is joined first. Ends quietly when
 * `signal` aborts.
 */
export async function* demuxLines(stream: NodeJS.ReadableStream, signal: AbortSignal): AsyncGenerator<string> {
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let i = 0;
      while (i + 8 <= pending.length) {
        const size = pending.readUInt32BE(i + 4);
        if (i + 8 + size > pending.length) break;
        for (const line of pending
          .subarray(i + 8, i + 8 + size)
          .toString("utf8")
          .split("\n"))
          if (line) yield line;
        i += 8 + size;
      }
      pending = pending.subarray(i);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
}
