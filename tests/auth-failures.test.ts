/**
 * A credential that keeps failing from one client address is slowed down (429 with Retry-After)
 * on every API process, with the count shared in Redis; a valid credential never is, nor another
 * credential from the same address (tenants behind one proxy or Swarm node). Each test speaks from
 * its own loopback address (127.0.0.x), so each is a different client; behind a trusted proxy,
 * X-Forwarded-For names the client.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_FINGERPRINTS_PER_CLIENT } from "../shared/auth/failed-auth.js";
import { startStack, waitFor, type Stack } from "./helpers/stack.js";

const LIMIT = 3;
const WINDOW_SECONDS = 5;
/** The address the proxy in front of `proxied` speaks from. */
const PROXY = "127.0.0.8";

let stack: Stack;
let other: { url: string };
/** An API process that trusts PROXY's X-Forwarded-For. */
let proxied: { url: string };
let org: { id: number; token: string };

beforeAll(async () => {
  stack = await startStack("auth-failures", { AUTH_FAILURE_LIMIT: String(LIMIT), AUTH_FAILURE_WINDOW_SECONDS: String(WINDOW_SECONDS) }, { workers: 0 });
  other = await stack.startExtraApi();
  proxied = await stack.startExtraApi({ TRUSTED_PROXIES: `10.255.0.0/16, ${PROXY}, fd00::/8` });
  org = await stack.newOrg("auth-failures");
});
afterAll(async () => {
  await stack?.stop();
});

/** A request from a given local address, as a distinct client. */
function from(localAddress: string, url: string, path: string, token: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; body: any; retryAfter?: string }>((resolve, reject) => {
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    const req = http.request(
      `${url}${path}`,
      {
        method: init.method ?? "GET",
        localAddress,
        headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}), ...init.headers },
      },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text), retryAfter: res.headers["retry-after"] as string | undefined }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const statuses = async (n: number, fn: () => Promise<{ status: number }>) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await fn()).status);
  return out;
};

describe("failed authentications from one client", () => {
  it("successful authentications are never slowed down", async () => {
    const jwt = (await from("127.0.0.2", stack.url, "/api/v1/auth/token", org.token, { method: "POST", body: {} })).body.token;
    expect(await statuses(LIMIT * 5, () => from("127.0.0.2", stack.url, "/api/v1/tenant", org.token))).toEqual(Array(LIMIT * 5).fill(200));
    expect(await statuses(LIMIT * 5, () => from("127.0.0.2", stack.url, "/api/v1/tenant", jwt))).toEqual(Array(LIMIT * 5).fill(200));
  });

  it("beyond the limit a failing credential gets 429 with Retry-After on every API process until the window ends; a valid credential from the same address is let through", async () => {
    const bad = "cvg_org_guessing-0123456789abcdef";
    expect(await statuses(LIMIT, () => from("127.0.0.3", stack.url, "/api/v1/tenant", bad))).toEqual(Array(LIMIT).fill(401));
    const over = await from("127.0.0.3", stack.url, "/api/v1/tenant", bad);
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe("TOO_MANY_AUTH_FAILURES");
    expect(Number(over.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(over.retryAfter)).toBeLessThanOrEqual(WINDOW_SECONDS);
    // The right credential from the same address goes through, on every process.
    expect((await from("127.0.0.3", stack.url, "/api/v1/tenant", org.token)).status).toBe(200);
    expect((await from("127.0.0.3", other.url, "/api/v1/tenant", org.token)).status).toBe(200);
    expect(over.body.error.message).toMatch(/too many failed authentications with this credential from this address/);

    // The other API process shares the count: its first failure with this credential from this client is already over the limit.
    expect((await from("127.0.0.3", other.url, "/api/v1/tenant", bad)).status).toBe(429);

    // Another client is not affected, with the same wrong credential or the right one.
    expect((await from("127.0.0.4", stack.url, "/api/v1/tenant", org.token)).status).toBe(200);
    expect((await from("127.0.0.4", other.url, "/api/v1/tenant", bad)).status).toBe(401);

    // After the window, the credential is counted afresh: a 401 again.
    await waitFor(async () => (await from("127.0.0.3", stack.url, "/api/v1/tenant", bad)).status === 401, {
      timeoutMs: (WINDOW_SECONDS + 5) * 1000,
      intervalMs: 250,
      what: "the window to end",
    });
  });

  it("one tenant retrying a stale key does not lock out the other tenants on the same address", async () => {
    const victim = await stack.newOrg("auth-failures-shared-node");
    const converge = { method: "POST", body: { prompt: "x", agentARole: "A", agentBRole: "B" } };
    const stale = "sk_tenant_stale-key-0123456789abcdef";
    expect(await statuses(LIMIT * 3, () => from("127.0.0.9", stack.url, "/api/v1/converge", stale, converge))).toEqual([...Array(LIMIT).fill(401), ...Array(LIMIT * 2).fill(429)]);
    // Another tenant's stale key from the same node is counted on its own: a 401, not a 429.
    expect((await from("127.0.0.9", stack.url, "/api/v1/converge", "sk_tenant_another-stale-key-0123456", converge)).status).toBe(401);
    // An organisation's token from the same node works, on every process.
    for (const url of [stack.url, other.url]) expect((await from("127.0.0.9", url, "/api/v1/tenant", victim.token)).status).toBe(200);
  });

  it("behind a trusted proxy each forwarded client is counted on its own; X-Forwarded-For from anyone else is ignored", async () => {
    const bad = "cvg_org_behind-a-proxy-0123456789abcdef";
    const via = (client: string, token: string) => from(PROXY, proxied.url, "/api/v1/tenant", token, { headers: { "x-forwarded-for": `${client}, 10.255.3.4` } });
    expect(await statuses(LIMIT + 1, () => via("203.0.113.7", bad))).toEqual([...Array(LIMIT).fill(401), 429]);
    // Another client behind the same proxy, with the same wrong credential: its own count.
    expect((await via("203.0.113.8", bad)).status).toBe(401);
    expect((await via("2001:db8::1", bad)).status).toBe(401);
    // The proxy's own address has no failures: the count was the forwarded client's.
    expect((await from(PROXY, proxied.url, "/api/v1/tenant", bad)).status).toBe(401);

    // A client that is not a trusted proxy cannot choose whom its failures count against.
    const spoofer = "127.0.0.10";
    const spoofed = await statuses(LIMIT + 1, async () => from(spoofer, proxied.url, "/api/v1/tenant", bad, { headers: { "x-forwarded-for": `198.51.100.${Math.floor(Math.random() * 250)}` } }));
    expect(spoofed).toEqual([...Array(LIMIT).fill(401), 429]);
  });

  it("a client sending a new credential every time is still slowed down, and is counted in one bounded Redis key", async () => {
    const client = "127.0.0.11";
    const attempts = MAX_FINGERPRINTS_PER_CLIENT + LIMIT + 1;
    const got = await statuses(attempts, async () => from(client, stack.url, "/api/v1/tenant", `cvg_org_guess-${Math.random().toString(36).slice(2)}`));
    expect(got.slice(0, MAX_FINGERPRINTS_PER_CLIENT + LIMIT - 1)).toEqual(Array(MAX_FINGERPRINTS_PER_CLIENT + LIMIT - 1).fill(401));
    expect(got.at(-1)).toBe(429);
    // Still a valid credential goes through.
    expect((await from(client, stack.url, "/api/v1/tenant", org.token)).status).toBe(200);
    const keys = await stack.redis.keys(`${stack.config.QUEUE_PREFIX}:auth-failures:${client}*`);
    expect(keys).toHaveLength(1);
    expect(await stack.redis.hlen(keys[0]!)).toBeLessThanOrEqual(MAX_FINGERPRINTS_PER_CLIENT);
    // No credential is kept: fields are short fingerprints.
    for (const field of await stack.redis.hkeys(keys[0]!)) expect(field).toMatch(/^([A-Za-z0-9_-]{16}|\*)$/);
  });

  it("guessed tenant keys on convergence calls and forged access tokens count too", async () => {
    const converge = { method: "POST", body: { prompt: "x", agentARole: "A", agentBRole: "B" } };
    expect(await statuses(LIMIT + 1, () => from("127.0.0.5", stack.url, "/api/v1/converge", "sk_tenant_guessing-0123456789", converge))).toEqual([...Array(LIMIT).fill(401), 429]);
    const jwt: string = (await from("127.0.0.6", stack.url, "/api/v1/auth/token", org.token, { method: "POST", body: {} })).body.token;
    const [h, p] = jwt.split(".");
    const forged = `${h}.${p}.${"A".repeat(86)}`;
    expect(await statuses(LIMIT + 1, () => from("127.0.0.6", stack.url, "/api/v1/tenant", forged))).toEqual([...Array(LIMIT).fill(401), 429]);
  });

  it("a genuine access token that expired or was revoked is refused but not counted as a guess", async () => {
    const victim = await stack.newOrg("auth-failures-revoked");
    const expiring = (await from("127.0.0.7", stack.url, "/api/v1/auth/token", victim.token, { method: "POST", body: { ttlSeconds: 1 } })).body.token;
    const revoked = (await from("127.0.0.7", stack.url, "/api/v1/auth/token", victim.token, { method: "POST", body: {} })).body.token;
    await waitFor(async () => (await from("127.0.0.7", stack.url, "/api/v1/tenant", expiring)).status === 401, { timeoutMs: 10_000, what: "expiry" });
    const rotated = await from("127.0.0.7", stack.url, "/api/v1/auth/organisation-token/rotate", victim.token, { method: "POST" });
    expect(rotated.status).toBe(200);
    expect(await statuses(LIMIT * 2, () => from("127.0.0.7", stack.url, "/api/v1/tenant", expiring))).toEqual(Array(LIMIT * 2).fill(401));
    expect(await statuses(LIMIT * 2, () => from("127.0.0.7", other.url, "/api/v1/tenant", revoked))).toEqual(Array(LIMIT * 2).fill(401));
    expect((await from("127.0.0.7", stack.url, "/api/v1/tenant", rotated.body.token)).status).toBe(200);
  });
});
