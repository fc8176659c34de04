/**
 * The health sweep's rules as pure functions: given what the sweep observed of one tenant (its
 * row, its container as the runtime reports it, the probe's outcome), what to do, in order. The
 * sweep (health.ts) reads, calls these and acts; the table-driven tests in
 * tests/unit/health-decision.test.ts pin the rules without any service.
 */
import type { Probe } from "./probe.js";

export interface HealthObservation {
  status: "ready" | "unhealthy";
  consecutiveFailures: number;
  /** The runtime's state of the tenant's container; null when there is none. */
  containerState: string | null;
  /** The runtime placed it on another node than recorded (Swarm rescheduled it). */
  moved: boolean;
  /** Its node or address differs from what is recorded. */
  placementChanged: boolean;
  probe: Probe;
}

export type HealthAction =
  /** The container is gone: hand the tenant back to provisioning (same port, same key). */
  | { kind: "recreate" }
  /** ready → unhealthy at once: it was down in between, whatever the probe says now. */
  | { kind: "rescheduled"; failures: number; error: string | null }
  /** unhealthy → ready. */
  | { kind: "recover"; moved: boolean }
  /** Still ready, answering at a new placement: record it (and move its route). */
  | { kind: "record-placement" }
  /** ready → unhealthy after failed probes (or at once when the runtime reports it not running). */
  | { kind: "unhealthy"; failures: number; error: string }
  /** No status change: only the failure counter and the check time are written. */
  | { kind: "count"; failures: number }
  /** The container exited: restart it, with back-off (see decideRestart). */
  | { kind: "restart" };

/** States in which the container will not come back by itself. */
const exitedStates = new Set(["exited", "dead", "created"]);

export function decideHealth(o: HealthObservation, rules: { failureThreshold: number }): HealthAction[] {
  if (o.containerState === null) return [{ kind: "recreate" }];
  const actions: HealthAction[] = [];
  let status = o.status;
  const movedNow = o.moved && status === "ready";
  if (movedNow) {
    actions.push({ kind: "rescheduled", failures: o.probe.ok ? 0 : 1, error: o.probe.ok ? null : o.probe.error });
    status = "unhealthy";
  }
  if (o.probe.ok) {
    if (status === "unhealthy") return [...actions, { kind: "recover", moved: o.moved }];
    if (o.placementChanged) actions.push({ kind: "record-placement" });
    return [...actions, { kind: "count", failures: 0 }];
  }
  const failures = o.consecutiveFailures + 1;
  // A container the runtime itself reports not running (exited, restarting, a task whose node is
  // down) fails at once: waiting for more failed probes would only delay what is already known.
  const notRunning = o.containerState !== "running";
  if (status === "ready" && (notRunning || failures >= rules.failureThreshold)) {
    actions.push({ kind: "unhealthy", failures, error: o.probe.error });
  } else if (!movedNow) {
    actions.push({ kind: "count", failures });
  }
  if (exitedStates.has(o.containerState)) actions.push({ kind: "restart" });
  return actions;
}

export type RestartDecision =
  /** Its back-off has not elapsed: leave it for a later sweep. */
  | { kind: "wait" }
  /** Past the limit: fail the tenant as a crash loop. */
  | { kind: "give-up" }
  /** Restart it now; the next restart waits `backoffMs`. */
  | { kind: "restart"; restarts: number; backoffMs: number };

/** Caps the doubling back-off between restarts of an exited container. */
const MAX_RESTART_BACKOFF_MS = 10 * 60_000;

export function decideRestart(tenant: { crashRestarts: number; nextRestartAt: Date | null }, now: Date, rules: { maxRestarts: number; backoffMs: number }): RestartDecision {
  if (tenant.nextRestartAt && tenant.nextRestartAt > now) return { kind: "wait" };
  if (tenant.crashRestarts >= rules.maxRestarts) return { kind: "give-up" };
  const restarts = tenant.crashRestarts + 1;
  return { kind: "restart", restarts, backoffMs: Math.min(rules.backoffMs * 2 ** (restarts - 1), MAX_RESTART_BACKOFF_MS) };
}
