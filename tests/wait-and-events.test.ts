/** Waiting without polling: `status?wait=` held until the state is reached, and the SSE events stream. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePrometheusText, sampleValue } from "./helpers/prometheus.js";
import { openSse } from "./helpers/sse.js";
import { spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";

let stack: Stack;
let org: { id: number; token: string };
let other: { id: number; token: string };

beforeAll(async () => {
  stack = await startStack("wait-events", { SSE_HEARTBEAT_MS: "500" });
  org = await stack.newOrg();
  other = await stack.newOrg("wait-events-other");
});
afterAll(async () => {
  await stack?.stop();
});

/** Held waits and open streams in the API process, from its /metrics. */
const watchers = async () => sampleValue(parsePrometheusText(await (await fetch(`${stack.opsUrl}/metrics`)).text()), "convergence_api_tenant_watchers");

describe("status?wait=", () => {
  it("answers as soon as the tenant is ready, not when the timeout runs out, and at once when it already is", async () => {
    const spawned = await spawnViaApi(stack, org.token, { name: "waited" });
    expect(spawned.status).toBe(202);
    const envId = spawned.body.tenant.envId as number;
    // The server may hold each of these requests for 60 s; the client gives up well before that,
    // so only an answer prompted by the tenant's own change (or its current state) passes.
    const wait = (query: string) => stack.api(`/api/v1/tenant/${envId}/status?${query}`, { token: org.token, timeoutMs: 45_000 });

    const held = await wait("wait=ready&timeout=60");
    expect(held.status).toBe(200);
    expect(held.body.tenant.status).toBe("ready");

    const again = await stack.api(`/api/v1/tenant/${envId}/status?wait=ready&timeout=60`, { token: org.token, timeoutMs: 10_000 });
    expect(again.body.tenant.status).toBe("ready");

    // A state that does not come: the request is held, then answered with the current status when the timeout passes.
    const timedOut = wait("wait=unhealthy&timeout=2");
    await waitFor(async () => (await watchers()) === 1, { timeoutMs: 5_000, what: "the request to be held" });
    expect((await timedOut).body.tenant.status).toBe("ready");
    expect(await watchers()).toBe(0);

    // A final state ends the wait too: waiting for "ready" on a tenant being destroyed returns "destroyed".
    await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
    const final = await wait("wait=ready&timeout=60");
    expect(final.body.tenant.status).toBe("destroyed");
    const destroyed = await wait("wait=destroyed&timeout=60");
    expect(destroyed.body.tenant.status).toBe("destroyed");
  });

  it("rejects an unknown state or an out-of-range timeout, and hides other organisations' tenants", async () => {
    const spawned = await spawnViaApi(stack, org.token, { name: "guarded" });
    const envId = spawned.body.tenant.envId as number;
    for (const q of ["wait=bogus", "wait=ready&timeout=0", "wait=ready&timeout=61", "wait=ready&timeout=abc"]) {
      const r = await stack.api(`/api/v1/tenant/${envId}/status?${q}`, { token: org.token });
      expect(r.status, q).toBe(400);
      expect(r.body.error.code, q).toBe("VALIDATION_FAILED");
    }
    // Not held at all: the server's 30 s would outlast the client's 10 s deadline.
    const foreign = await stack.api(`/api/v1/tenant/${envId}/status?wait=ready&timeout=30`, { token: other.token, timeoutMs: 10_000 });
    expect(foreign.status).toBe(404);
    const foreignEvents = await fetch(`${stack.url}/api/v1/tenant/${envId}/events`, { headers: { authorization: `Bearer ${other.token}` } });
    expect(foreignEvents.status).toBe(404);
    expect((await foreignEvents.json()).error.code).toBe("NOT_FOUND");
    const anonymous = await fetch(`${stack.url}/api/v1/tenant/${envId}/events`);
    expect(anonymous.status).toBe(401);
    await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
    await waitForStatus(stack, org.token, envId, ["destroyed"]);
  });
});

/** A tenant of the test's own, once it is ready. */
async function readyTenant(name: string): Promise<number> {
  const envId = (await spawnViaApi(stack, org.token, { name })).body.tenant.envId as number;
  const ready = await stack.api(`/api/v1/tenant/${envId}/status?wait=ready&timeout=60`, { token: org.token, timeoutMs: 70_000 });
  expect(ready.body.tenant.status).toBe("ready");
  return envId;
}

describe("GET /tenant/:id/events", () => {
  it("streams every transition in order, history first then live, and ends after destroyed", async () => {
    const spawned = await spawnViaApi(stack, org.token, { name: "streamed" });
    const envId = spawned.body.tenant.envId as number;
    const sse = await openSse(`${stack.url}/api/v1/tenant/${envId}/events`, { token: org.token });
    try {
      expect(sse.status).toBe(200);
      expect(sse.contentType).toContain("text/event-stream");
      await sse.until((r) => r.messages.some((m) => JSON.parse(m.data).to === "ready"), 90_000, "ready");

      await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
      await sse.until((r) => r.messages.some((m) => JSON.parse(m.data).to === "destroyed"), 60_000, "destroyed");
      await sse.ended; // the server closes the stream after destroyed

      expect(sse.messages.every((m) => m.event === "status")).toBe(true);
      const data = sse.messages.map((m) => JSON.parse(m.data) as { from: string | null; to: string; reason: string; at: string });
      expect(data.map((d) => d.to)).toEqual(["pending", "provisioning", "starting", "ready", "destroying", "destroyed"]);
      // Each event starts where the previous one ended; ids and times only go forward.
      expect(data[0]!.from).toBeNull();
      data.slice(1).forEach((d, i) => expect(d.from).toBe(data[i]!.to));
      const ids = sse.messages.map((m) => Number(m.id));
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
      expect(data.every((d) => typeof d.reason === "string" && !Number.isNaN(Date.parse(d.at)))).toBe(true);
    } finally {
      sse.abort();
    }
  });

  it("resumes after Last-Event-ID and sends heartbeats while nothing happens", async () => {
    const envId = await readyTenant("resumed");

    const first = await openSse(`${stack.url}/api/v1/tenant/${envId}/events`, { token: org.token });
    await first.until((r) => r.messages.length >= 4, 10_000, "the history up to ready");
    first.abort();
    const readyId = first.messages.find((m) => JSON.parse(m.data).to === "ready")!.id!;

    const resumed = await openSse(`${stack.url}/api/v1/tenant/${envId}/events`, { token: org.token, headers: { "Last-Event-ID": readyId } });
    try {
      // Nothing new since ready: only heartbeats (every 500 ms in this stack).
      await resumed.until((r) => r.comments.includes("heartbeat"), 10_000, "a heartbeat");
      expect(resumed.messages).toEqual([]);
      await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
      await resumed.until((r) => r.messages.some((m) => JSON.parse(m.data).to === "destroyed"), 60_000, "destroyed");
      expect(resumed.messages.map((m) => JSON.parse(m.data).to)).toEqual(["destroying", "destroyed"]);
    } finally {
      resumed.abort();
    }
  });

  it("lets go of a stream or a held wait whose client went away", async () => {
    const envId = await readyTenant("abandoned");
    // Streams other tests closed are let go of asynchronously: start from none held.
    await waitFor(async () => (await watchers()) === 0, { timeoutMs: 5_000, what: "no held requests" });

    const sse = await openSse(`${stack.url}/api/v1/tenant/${envId}/events`, { token: org.token });
    await sse.until((r) => r.comments.includes("heartbeat"), 10_000, "a heartbeat");
    const gone = new AbortController();
    const held = fetch(`${stack.url}/api/v1/tenant/${envId}/status?wait=unhealthy&timeout=60`, {
      headers: { authorization: `Bearer ${org.token}` },
      signal: gone.signal,
    }).catch(() => null);
    await waitFor(async () => (await watchers()) === 2, { timeoutMs: 5_000, what: "the stream and the wait to be held" });

    sse.abort();
    gone.abort();
    await held;
    await waitFor(async () => (await watchers()) === 0, { timeoutMs: 5_000, what: "both to be released" });

    await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
    await waitForStatus(stack, org.token, envId, ["destroyed"]);
  });
});
