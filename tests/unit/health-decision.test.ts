/**
 * The health sweep's rules (shared/tenants/health-decision.ts), as a table: what the sweep does
 * for each observed state of a tenant. No service: data in, decision out.
 */
import { describe, expect, it } from "vitest";
import { decideHealth, decideRestart, type HealthAction, type HealthObservation } from "../../shared/tenants/health-decision.js";

const ok = { ok: true } as const;
const down = { ok: false, error: "connection refused" } as const;
const base: HealthObservation = { status: "ready", consecutiveFailures: 0, containerState: "running", moved: false, placementChanged: false, probe: ok };
const rules = { failureThreshold: 3 };

const cases: Array<[string, Partial<HealthObservation>, HealthAction[]]> = [
  ["a ready tenant that answers only has its check recorded", {}, [{ kind: "count", failures: 0 }]],
  ["a ready tenant that answers at a new address has it recorded", { placementChanged: true }, [{ kind: "record-placement" }, { kind: "count", failures: 0 }]],
  ["a ready tenant whose container is gone is handed back to provisioning", { containerState: null, probe: down }, [{ kind: "recreate" }]],
  ["an unhealthy tenant whose container is gone is handed back to provisioning", { status: "unhealthy", containerState: null, probe: down }, [{ kind: "recreate" }]],
  ["a ready tenant failing once, below the threshold, stays ready and counts the failure", { probe: down }, [{ kind: "count", failures: 1 }]],
  ["a ready tenant reaching the threshold of failed probes becomes unhealthy", { consecutiveFailures: 2, probe: down }, [{ kind: "unhealthy", failures: 3, error: "connection refused" }]],
  [
    "a ready tenant whose container exited becomes unhealthy at once and is restarted",
    { containerState: "exited", probe: down },
    [{ kind: "unhealthy", failures: 1, error: "connection refused" }, { kind: "restart" }],
  ],
  [
    "a ready tenant whose container is restarting becomes unhealthy at once, without a restart",
    { containerState: "restarting", probe: down },
    [{ kind: "unhealthy", failures: 1, error: "connection refused" }],
  ],
  ["a dead container is restarted", { status: "unhealthy", containerState: "dead", probe: down }, [{ kind: "count", failures: 1 }, { kind: "restart" }]],
  [
    "a created but never started container is restarted",
    { status: "unhealthy", consecutiveFailures: 4, containerState: "created", probe: down },
    [{ kind: "count", failures: 5 }, { kind: "restart" }],
  ],
  ["an unhealthy tenant that still fails counts one more failure", { status: "unhealthy", consecutiveFailures: 7, probe: down }, [{ kind: "count", failures: 8 }]],
  ["an unhealthy tenant that answers again is ready", { status: "unhealthy", consecutiveFailures: 7 }, [{ kind: "recover", moved: false }]],
  [
    "a ready tenant rescheduled to another node that answers there is unhealthy, then ready again",
    { moved: true, placementChanged: true },
    [
      { kind: "rescheduled", failures: 0, error: null },
      { kind: "recover", moved: true },
    ],
  ],
  ["a ready tenant rescheduled to another node that does not answer yet is unhealthy", { moved: true, probe: down }, [{ kind: "rescheduled", failures: 1, error: "connection refused" }]],
  ["an unhealthy tenant that answers on the node it moved to is ready", { status: "unhealthy", moved: true }, [{ kind: "recover", moved: true }]],
];

describe("what the health sweep does with a tenant", () => {
  it.each(cases)("%s", (_name, observed, expected) => {
    expect(decideHealth({ ...base, ...observed }, rules)).toEqual(expected);
  });

  it("a threshold of one makes the first failed probe unhealthy", () => {
    expect(decideHealth({ ...base, probe: down }, { failureThreshold: 1 })).toEqual([{ kind: "unhealthy", failures: 1, error: "connection refused" }]);
  });
});

describe("when the health sweep restarts an exited container", () => {
  const now = new Date("2026-01-01T12:00:00Z");
  const later = new Date(now.getTime() + 1_000);
  const restartRules = { maxRestarts: 5, backoffMs: 10_000 };
  const cases: Array<[string, { crashRestarts: number; nextRestartAt: Date | null }, ReturnType<typeof decideRestart>]> = [
    ["the first restart happens at once, the next waits the base back-off", { crashRestarts: 0, nextRestartAt: null }, { kind: "restart", restarts: 1, backoffMs: 10_000 }],
    ["the back-off doubles with each restart", { crashRestarts: 3, nextRestartAt: now }, { kind: "restart", restarts: 4, backoffMs: 80_000 }],
    ["a container whose back-off has not elapsed is left for a later sweep", { crashRestarts: 2, nextRestartAt: later }, { kind: "wait" }],
    ["past the restart limit the tenant is failed as a crash loop", { crashRestarts: 5, nextRestartAt: null }, { kind: "give-up" }],
    ["a crash loop still waiting its back-off is not failed yet", { crashRestarts: 5, nextRestartAt: later }, { kind: "wait" }],
  ];
  it.each(cases)("%s", (_name, tenant, expected) => {
    expect(decideRestart(tenant, now, restartRules)).toEqual(expected);
  });

  it("the back-off never exceeds ten minutes", () => {
    expect(decideRestart({ crashRestarts: 19, nextRestartAt: null }, now, { maxRestarts: 50, backoffMs: 10_000 })).toEqual({ kind: "restart", restarts: 20, backoffMs: 600_000 });
  });
});
