/**
 * Following a tenant's logs. Today by polling GET /api/v1/tenant/:id/logs?tail=N and appending
 * the lines not seen yet (each line starts with its container timestamp, so a line seen before
 * is recognised); the streaming endpoint (`?follow=true`) can replace the inside of this one
 * function without the page noticing.
 */
import { api, call, errorMessage } from "./api.js";

export interface LogFollower {
  onLines(lines: string[]): void;
  onError(message: string | null): void;
}

const POLL_MS = 2_000;
const TAIL = 200;

export function followLogs(envId: number, follower: LogFollower, signal: AbortSignal): void {
  let last: string | undefined;
  let failures = 0;
  const poll = async () => {
    if (signal.aborted) return;
    if (document.visibilityState === "visible") {
      try {
        const { lines } = await call(api.GET("/api/v1/tenant/{id}/logs", { params: { path: { id: envId }, query: { tail: TAIL } }, signal }));
        const from = last === undefined ? 0 : lines.lastIndexOf(last) + 1;
        const fresh = lines.slice(from);
        if (fresh.length) {
          last = fresh.at(-1);
          follower.onLines(fresh);
        }
        failures = 0;
        follower.onError(null);
      } catch (err) {
        if (signal.aborted) return;
        failures++;
        follower.onError(errorMessage(err));
      }
    }
    // Back off while the API says no (e.g. no worker answers), up to 30 s.
    setTimeout(() => void poll(), Math.min(30_000, POLL_MS * 2 ** Math.min(failures, 4)));
  };
  void poll();
}
