/**
 * Scale to zero (docs/idle.md) on one real stack: API (with its waker), a worker, Caddy, Docker.
 * Idle tenants are paused, then stopped; a request to a sleeping tenant's hostname is held while
 * it wakes and answered by its app; 50 at once wake it once; traffic (a stream through the
 * ingress, a long request on the host port) keeps a tenant awake; sleeping tenants stay asleep
 * through health sweeps and reconciler rounds; destroy works from paused and stopped; a wake
 * that cannot finish answers 503 with Retry-After and says why in the tenant's status.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequestRaw } from "node:https";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createIngress } from "../shared/ingress/index.js";
import { httpsGet } from "./helpers/https.js";
import { spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";

let stack: Stack;
let token: string;
let ca: string;

beforeAll(async () => {
  stack = await startStack("idle", {
    HEALTH_INTERVAL_MS: "1000",
    RECONCILE_INTERVAL_MS: "1000",
    TENANT_WAKE_TIMEOUT_MS: "6000",
  });
  token = (await stack.newOrg()).token;
  ca = (await createIngress(stack.config).caCertificate())!;
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

async function spawnReady(body: Record<string, unknown> = {}) {
  const res = await spawnViaApi(stack, token, { name: "sleepy", framework: "idle", ...body });
  expect(res.status).toBe(202);
  const tenant = await waitForStatus(stack, token, res.body.tenant.envId, ["ready"], 90_000);
  return tenant as { envId: number; url: string; port: number; containerName: string };
}

const inspect = (name: string) => stack.docker.getContainer(name).inspect();
const status = async (envId: number) => (await stack.api(`/api/v1/tenant/${envId}/status`, { token })).body.tenant;
const transitions = async (envId: number) => (await stack.sql<{ to: string }[]>`select to_status as "to" from tenant_events where env_id = ${envId} order by id`).map((r) => r.to);

/** Waits until the sleep job has made the container match (paused, or not running). */
async function containerAsleep(name: string, mode: "paused" | "stopped") {
  await waitFor(
    async () => {
      const s = (await inspect(name)).State;
      return mode === "paused" ? s.Paused : !s.Running;
    },
    { timeoutMs: 30_000, what: `container ${name} ${mode}` },
  );
}

async function sleepViaApi(envId: number, mode: "paused" | "stopped") {
  const res = await stack.api(`/api/v1/tenant/${envId}/sleep`, { token, body: { mode } });
  expect(res.status).toBe(202);
  expect(res.body.tenant.status).toBe(mode);
}

describe("idle tenants sleep", () => {
  test("a tenant with no traffic is paused after pauseAfterSeconds, then stopped after stopAfterSeconds, and stays asleep through sweeps", async () => {
    const t = await spawnReady({ idle: { pauseAfterSeconds: 2, stopAfterSeconds: 6 } });
    expect((await status(t.envId)).idle).toMatchObject({ pauseAfterSeconds: 2, stopAfterSeconds: 6 });
    await waitForStatus(stack, token, t.envId, ["paused"], 30_000);
    await containerAsleep(t.containerName, "paused");
    await waitForStatus(stack, token, t.envId, ["stopped"], 30_000);
    await containerAsleep(t.containerName, "stopped");
    expect(await transitions(t.envId)).toEqual(["pending", "provisioning", "starting", "ready", "paused", "stopped"]);

    // Health sweeps and reconciler rounds run every second here: a witness tenant's checks prove
    // several went by, and the sleeper is still stopped, its container still not running.
    const witness = await spawnReady({ name: "witness" });
    const firstCheck = (await status(witness.envId)).health.lastCheckAt;
    await waitFor(
      async () => {
        const c = (await status(witness.envId)).health.lastCheckAt;
        return c && firstCheck && Date.parse(c) > Date.parse(firstCheck) + 2_500;
      },
      { timeoutMs: 30_000, what: "three more health sweeps" },
    );
    expect((await status(t.envId)).status).toBe("stopped");
    expect((await inspect(t.containerName)).State.Running).toBe(false);
    // Its route leads to the waker, not to a stopped container.
    const routes = await createIngress(stack.config).listRoutes();
    expect(routes.find((r) => r.envId === t.envId)).toMatchObject({ wake: true, upstream: `127.0.0.1:${stack.config.WAKER_PORT}` });
  });

  test("an open stream through the ingress and a long request on the host port keep a tenant awake", async () => {
    const t = await spawnReady({ idle: { pauseAfterSeconds: 2, stopAfterSeconds: null } });
    // A stream through the ingress, open for longer than the pause time.
    const u = new URL(t.url);
    const stream = httpsRequestRaw({ host: "127.0.0.1", port: Number(u.port), path: "/stream", servername: u.hostname, headers: { host: u.host }, ca, agent: false });
    stream.end();
    const streaming = await new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
      stream.on("response", resolve);
      stream.on("error", reject);
    });
    streaming.resume();
    const opened = Date.now();
    // The idle watch has looked at it, seen the stream, long past its pause time: still ready.
    await waitFor(
      async () => {
        const s = await status(t.envId);
        return s.idle.lastActiveAt && Date.parse(s.idle.lastActiveAt) > opened + 4_000 ? s : null;
      },
      { timeoutMs: 30_000, what: "the idle watch to see the stream past the pause time" },
    );
    expect((await status(t.envId)).status).toBe("ready");
    stream.destroy();

    // A long request straight to the host port (not through the ingress): the open connection counts too.
    const slow = httpRequest({ host: "127.0.0.1", port: t.port, path: "/slow?ms=60000", agent: false });
    slow.on("error", () => {});
    slow.end();
    const held = Date.now();
    await waitFor(
      async () => {
        const s = await status(t.envId);
        return s.idle.lastActiveAt && Date.parse(s.idle.lastActiveAt) > held + 4_000 ? s : null;
      },
      { timeoutMs: 30_000, what: "the idle watch to see the long request past the pause time" },
    );
    expect((await status(t.envId)).status).toBe("ready");
    slow.destroy();
    // Both gone: now it sleeps.
    await waitForStatus(stack, token, t.envId, ["paused"], 30_000);
  });
});

describe("a request wakes a sleeping tenant", () => {
  test("a paused tenant: the request is held, the same process answers it (memory kept), and the tenant is ready again", async () => {
    const t = await spawnReady();
    const before = await httpsGet(`${t.url}/hello`, ca);
    expect(before.status).toBe(200);
    await sleepViaApi(t.envId, "paused");
    await containerAsleep(t.containerName, "paused");
    const woken = await httpsGet(`${t.url}/hello`, ca, 20_000);
    expect(woken.status).toBe(200);
    expect(woken.headers["x-boot-id"]).toBe(before.headers["x-boot-id"]);
    expect((await status(t.envId)).status).toBe("ready");
    expect((await transitions(t.envId)).slice(-3)).toEqual(["paused", "waking", "ready"]);
  });

  test("50 concurrent first requests to a stopped tenant wake it once, and all 50 are answered by its app", async () => {
    const t = await spawnReady();
    const bootBefore = (await httpsGet(`${t.url}/`, ca)).headers["x-boot-id"];
    await sleepViaApi(t.envId, "stopped");
    await containerAsleep(t.containerName, "stopped");
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => httpsGet(`${t.url}/r/${i}`, ca, 30_000)));
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200));
    const boots = new Set(replies.map((r) => r.headers["x-boot-id"]));
    expect(boots.size).toBe(1); // one start served them all
    expect(boots.has(bootBefore)).toBe(false); // ... a new one: it was stopped
    expect(replies.map((r) => JSON.parse(r.body).path).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `/r/${i}`).sort());
    expect((await transitions(t.envId)).filter((s) => s === "waking")).toHaveLength(1);
    expect((await status(t.envId)).status).toBe("ready");
  });

  test("POST /wake wakes a stopped tenant; sleep and wake say clearly what they cannot do", async () => {
    const t = await spawnReady();
    const bad = await stack.api(`/api/v1/tenant/${t.envId}/sleep`, { token, body: { mode: "frozen" } });
    expect(bad.status).toBe(400);
    expect(bad.body.success).toBe(false);
    await sleepViaApi(t.envId, "stopped");
    const notPausable = await stack.api(`/api/v1/tenant/${t.envId}/sleep`, { token, body: { mode: "paused" } });
    expect(notPausable.status).toBe(409);
    expect(notPausable.body.error.code).toBe("INVALID_STATE");
    await containerAsleep(t.containerName, "stopped");
    const woke = await stack.api(`/api/v1/tenant/${t.envId}/wake`, { token, method: "POST" });
    expect(woke.status).toBe(202);
    await waitForStatus(stack, token, t.envId, ["ready"], 30_000);
    expect((await inspect(t.containerName)).State.Running).toBe(true);
    expect((await httpsGet(`${t.url}/`, ca, 10_000)).status).toBe(200);
  });

  test("PATCH changes the idle policy; GET /org shows the defaults", async () => {
    const t = await spawnReady();
    expect((await status(t.envId)).idle).toMatchObject({ pauseAfterSeconds: null, stopAfterSeconds: null });
    const patched = await stack.api(`/api/v1/tenant/${t.envId}`, { token, method: "PATCH", body: { idle: { pauseAfterSeconds: 1, stopAfterSeconds: null } } });
    expect(patched.status).toBe(200);
    expect(patched.body.tenant.idle).toMatchObject({ pauseAfterSeconds: 1, stopAfterSeconds: null });
    const bad = await stack.api(`/api/v1/tenant/${t.envId}`, { token, method: "PATCH", body: { idle: { pauseAfterSeconds: -1, stopAfterSeconds: null } } });
    expect(bad.status).toBe(400);
    await waitForStatus(stack, token, t.envId, ["paused"], 30_000);
    const org = await stack.api("/api/v1/org", { token });
    expect(org.body.idleDefaults).toEqual({ pauseAfterSeconds: null, stopAfterSeconds: null });
  });
});

describe("sleeping tenants and the rest of the lifecycle", () => {
  test("a paused and a stopped tenant are destroyed like any other", async () => {
    const [p, s] = await Promise.all([spawnReady({ name: "p" }), spawnReady({ name: "s" })]);
    await sleepViaApi(p.envId, "paused");
    await sleepViaApi(s.envId, "stopped");
    await Promise.all([containerAsleep(p.containerName, "paused"), containerAsleep(s.containerName, "stopped")]);
    for (const t of [p, s]) expect((await stack.api(`/api/v1/tenant/${t.envId}`, { token, method: "DELETE" })).status).toBe(202);
    for (const t of [p, s]) await waitForStatus(stack, token, t.envId, ["destroyed"], 30_000);
    for (const t of [p, s]) await expect(inspect(t.containerName)).rejects.toThrow(/no such container/i);
  });

  test("a key rotation from paused re-creates the container with the new key, and the tenant comes back ready", async () => {
    const t = await spawnReady();
    await sleepViaApi(t.envId, "paused");
    await containerAsleep(t.containerName, "paused");
    const rotated = await stack.api(`/api/v1/tenant/${t.envId}/rotate-key`, { token, method: "POST" });
    expect(rotated.status).toBe(202);
    const ready = await waitForStatus(stack, token, t.envId, ["ready"], 60_000);
    expect(ready.apiKeyPrefix).toBe(rotated.body.tenant.apiKeyPrefix);
    const state = (await inspect(t.containerName)).State;
    expect(state.Running && !state.Paused).toBe(true);
    expect((await httpsGet(`${t.url}/`, ca, 10_000)).status).toBe(200);
  });

  test("a tenant that cannot wake in time: the held request gets 503 with Retry-After, and its status says why", async () => {
    const t = await spawnReady();
    await sleepViaApi(t.envId, "stopped");
    await containerAsleep(t.containerName, "stopped");
    await stack.stopWorkers(); // nobody to wake it
    try {
      const reply = await httpsGet(`${t.url}/`, ca, 20_000);
      expect(reply.status).toBe(503);
      expect(reply.headers["retry-after"]).toBeDefined();
      expect(JSON.parse(reply.body).error.code).toBe("WAKE_TIMEOUT");
      const s = await status(t.envId);
      expect(s.status).toBe("waking");
      expect(s.error).toMatch(/waited 6000 ms for it to wake/);
    } finally {
      stack.startWorker();
    }
    // The wake goes on once a worker is back.
    await waitForStatus(stack, token, t.envId, ["ready"], 60_000);
  });
});
