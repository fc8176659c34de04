/**
 * The idle watch's rule as a pure function (docs/idle.md): given what one look at a tenant saw
 * (requests in flight at the ingress, connections open to its app, connections accepted since the
 * last look) and its idle policy, what to do. Idle means idle for the whole period: any traffic at
 * a look restarts the clock, and only a tenant with none since `lastActiveAt` for the policy's
 * seconds is put to sleep. The health sweep (health.ts) looks and acts; tests/unit/idle-decision.test.ts
 * pins the rule.
 */
import type { IdlePolicy } from "./idle-policy.js";

export interface IdleObservation {
  status: "ready" | "paused";
  policy: IdlePolicy;
  /** When traffic was last seen; null: never (the clock starts at `since`). */
  lastActiveAt: Date | null;
  /** When it last became ready (or the policy last changed): the clock's start without traffic. */
  since: Date;
  /** Requests the ingress has in flight to it now (a held stream is one). */
  inFlight: number;
  /** Connections open to its app now (through the ingress or the host port). */
  open: number;
  /** Connections its network accepted since the last look, the platform's own health probes left out; null: unknown (the first look). */
  accepted: number | null;
  /** The runtime can pause (Swarm cannot: a pause there is a stop). */
  canPause: boolean;
}

export type IdleAction =
  /** Traffic now: the clock restarts. */
  | { kind: "active" }
  | { kind: "pause"; idleSeconds: number }
  | { kind: "stop"; idleSeconds: number }
  /** Quiet, but not for long enough (or no policy). */
  | { kind: "wait"; idleSeconds: number };

export function decideIdle(o: IdleObservation, now: Date): IdleAction {
  if (o.inFlight > 0 || o.open > 0 || (o.accepted ?? 0) > 0) return { kind: "active" };
  const from = o.lastActiveAt && o.lastActiveAt > o.since ? o.lastActiveAt : o.since;
  const idleSeconds = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 1000));
  const { pauseAfterSeconds: pause, stopAfterSeconds: stop } = o.policy;
  if (stop !== null && idleSeconds >= stop) return { kind: "stop", idleSeconds };
  if (o.status === "ready" && pause !== null && idleSeconds >= pause) return o.canPause ? { kind: "pause", idleSeconds } : { kind: "stop", idleSeconds };
  return { kind: "wait", idleSeconds };
}

/** Whether the tenant has an idle policy at all (otherwise the watch does not look at it). */
export function hasIdlePolicy(p: IdlePolicy): boolean {
  return p.pauseAfterSeconds !== null || p.stopAfterSeconds !== null;
}
