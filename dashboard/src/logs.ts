/**
 * Following a tenant's logs: GET /api/v1/tenant/:id/logs?follow=true, server-sent events through
 * an EventSource (the last lines, then each new one as the tenant prints it, across key rotations;
 * a dropped connection resumes after the last line's id). If the stream is refused (the
 * organisation's limit on followed logs, say), it falls back to reading ?tail= every few seconds.
 */
import { api, call, errorMessage } from "./api.js";

export interface LogFollower {
  onLines(lines: string[]): void;
  onError(message: string | null): void;
}

const TAIL = 200;
const POLL_MS = 2_000;
/** Lines arriving together are shown together: one render per batch, not per line. */
const FLUSH_MS = 100;

export function followLogs(envId: number, follower: LogFollower, signal: AbortSignal): void {
  let last: string | undefined;
  let pending: string[] = [];
  // biome-ignore lint/correctness/noUnusedVariables: read by the `??=` below (a false positive)
  let flushTimer: number | undefined;
  const push = (line: string) => {
    last = line;
    pending.push(line);
    flushTimer ??= window.setTimeout(() => {
      flushTimer = undefined;
      const batch = pending;
      pending = [];
      follower.onLines(batch);
    }, FLUSH_MS);
  };

  const source = new EventSource(`/api/v1/tenant/${envId}/logs?follow=true&tail=${TAIL}`);
  signal.addEventListener("abort", () => source.close(), { once: true });
  source.addEventListener("open", () => follower.onError(null));
  source.addEventListener("line", (e) => {
    const { at, line } = JSON.parse((e as MessageEvent<string>).data) as { at: string; line: string };
    push(`${at} ${line}`);
  });
  source.addEventListener("end", () => source.close()); // destroyed: nothing more will come
  source.addEventListener("error", () => {
    // CONNECTING: it reconnects by itself. CLOSED: the server refused the stream.
    if (source.readyState !== EventSource.CLOSED || signal.aborted) return;
    void pollLogs(envId, follower, signal, { last, push });
  });
}

async function pollLogs(envId: number, follower: LogFollower, signal: AbortSignal, seen: { last: string | undefined; push: (line: string) => void }) {
  let failures = 0;
  while (!signal.aborted) {
    if (document.visibilityState === "visible") {
      try {
        const body = await call(api.GET("/api/v1/tenant/{id}/logs", { params: { path: { id: envId }, query: { tail: TAIL } }, signal }));
        const lines = "lines" in body ? body.lines : []; // without follow the answer is JSON
        // Each line starts with its timestamp: a line seen before is recognised.
        const from = seen.last === undefined ? 0 : lines.lastIndexOf(seen.last) + 1;
        for (const line of lines.slice(from)) seen.push(line);
        seen.last = lines.at(-1) ?? seen.last;
        failures = 0;
        follower.onError(null);
      } catch (err) {
        if (signal.aborted) return;
        failures++;
        follower.onError(errorMessage(err));
      }
    }
    // Back off while the API says no (e.g. no worker answers), up to 30 s.
    await new Promise((r) => setTimeout(r, Math.min(30_000, POLL_MS * 2 ** Math.min(failures, 4))));
  }
}
