/**
 * The idle watch's rule (shared/tenants/idle-decision.ts) and how it reads a tenant network's
 * connections from /proc (shared/runtime/docker/netns.ts), as tables. No service.
 */
import { describe, expect, it } from "vitest";
import { establishedTo, passiveOpens } from "../../shared/runtime/docker/netns.js";
import { canTransition } from "../../shared/tenant-state.js";
import { decideIdle, type IdleAction, type IdleObservation } from "../../shared/tenants/idle-decision.js";
import { webhookEventTypeFor } from "../../shared/webhooks/event-catalog.js";

const now = new Date("2026-12-05T12:00:00Z");
const ago = (s: number) => new Date(now.getTime() - s * 1000);
const base: IdleObservation = {
  status: "ready",
  policy: { pauseAfterSeconds: 60, stopAfterSeconds: 600 },
  lastActiveAt: null,
  since: ago(30),
  inFlight: 0,
  open: 0,
  accepted: 0,
  canPause: true,
};

const cases: Array<[string, Partial<IdleObservation>, IdleAction]> = [
  ["a ready tenant quiet for less than its pause time waits", {}, { kind: "wait", idleSeconds: 30 }],
  ["a ready tenant quiet for its pause time is paused", { since: ago(60) }, { kind: "pause", idleSeconds: 60 }],
  ["a ready tenant quiet past its stop time is stopped, not paused", { since: ago(700) }, { kind: "stop", idleSeconds: 700 }],
  ["a request in flight at the ingress (a long request, a stream) keeps it awake", { since: ago(700), inFlight: 1 }, { kind: "active" }],
  ["an open connection (a WebSocket, a stream on the host port) keeps it awake", { since: ago(700), open: 1 }, { kind: "active" }],
  ["a connection accepted since the last look keeps it awake", { since: ago(700), accepted: 3 }, { kind: "active" }],
  ["the first look, with no baseline, decides on the clock alone", { since: ago(60), accepted: null }, { kind: "pause", idleSeconds: 60 }],
  ["traffic seen recently restarts the clock", { since: ago(700), lastActiveAt: ago(10) }, { kind: "wait", idleSeconds: 10 }],
  ["a wake after the last traffic restarts the clock", { since: ago(5), lastActiveAt: ago(900) }, { kind: "wait", idleSeconds: 5 }],
  ["without a pause time, a quiet tenant waits for its stop time", { policy: { pauseAfterSeconds: null, stopAfterSeconds: 600 }, since: ago(300) }, { kind: "wait", idleSeconds: 300 }],
  ["without any policy nothing sleeps", { policy: { pauseAfterSeconds: null, stopAfterSeconds: null }, since: ago(99_999) }, { kind: "wait", idleSeconds: 99_999 }],
  ["a paused tenant is stopped at its stop time", { status: "paused", since: ago(600) }, { kind: "stop", idleSeconds: 600 }],
  ["a paused tenant is not paused again", { status: "paused", since: ago(100) }, { kind: "wait", idleSeconds: 100 }],
  ["where the runtime cannot pause (Swarm), the pause time stops it", { since: ago(60), canPause: false }, { kind: "stop", idleSeconds: 60 }],
];

describe("the idle watch's rule", () => {
  it.each(cases)("%s", (_name, change, expected) => {
    expect(decideIdle({ ...base, ...change }, now)).toEqual(expected);
  });
});

describe("sleeping in the state machine", () => {
  it.each([
    ["ready", "paused", true],
    ["ready", "stopped", true],
    ["paused", "stopped", true],
    ["paused", "waking", true],
    ["stopped", "waking", true],
    ["waking", "ready", true],
    ["paused", "destroying", true],
    ["stopped", "destroying", true],
    ["stopped", "provisioning", true],
    ["paused", "ready", false],
    ["stopped", "paused", false],
    ["pending", "paused", false],
    ["failed", "waking", false],
  ] as const)("%s → %s allowed: %s", (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it("sleeping and waking send tenant.paused, tenant.stopped and tenant.woke", () => {
    expect(webhookEventTypeFor("ready", "paused")).toBe("tenant.paused");
    expect(webhookEventTypeFor("paused", "stopped")).toBe("tenant.stopped");
    expect(webhookEventTypeFor("waking", "ready")).toBe("tenant.woke");
    expect(webhookEventTypeFor("stopped", "waking")).toBeNull();
  });
});

describe("reading a network namespace's connections", () => {
  const snmp = [
    "Ip: Forwarding DefaultTTL InReceives",
    "Ip: 1 64 100",
    "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab",
    "Tcp: 1 200 120000 -1 4 17 0 0 1",
    "Udp: InDatagrams NoPorts",
    "Udp: 0 0",
  ].join("\n");
  it("counts the connections accepted so far", () => expect(passiveOpens(snmp)).toBe(17));

  const tcp = [
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
    "   0: 00000000:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1",
    "   1: 0B00D40A:0BB8 0100D40A:A1B2 01 00000000:00000000 00:00000000 00000000     0        0 2 1",
    "   2: 0B00D40A:0BB8 0100D40A:A1B4 06 00000000:00000000 00:00000000 00000000     0        0 3 1",
    "   3: 0B00D40A:C350 0100D40A:0BB8 01 00000000:00000000 00:00000000 00000000     0        0 4 1",
  ].join("\n");
  it("counts established connections to the app port only (not listening, closing, or outgoing ones)", () => expect(establishedTo(tcp, 3000)).toBe(1));
});
