/**
 * Repeated failed authentications from one client address are slowed down (429 with
 * Retry-After) on every API process, with the count shared in Redis; other clients, and
 * successful authentications, are not. Each test speaks from its own loopback address
 * (127.0.0.x), so each is a different client.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, waitFor, type Stack } from "./helpers/stack.js";

const LIMIT = 3;
const WINDOW_SECONDS = 5;

let stack: Stack;
let other: { url: string };
let org: { id: number; token: string };

beforeAll(async () => {
  stack = await startStack("auth-failures", { AUTH_FAILURE_LIMIT: String(LIMIT), AUTH_FAILURE_WINDOW_SECONDS: String(WINDOW_SECONDS) }, { workers: 0 });
  other = await stack.startExtraApi();
  org = await stack.newOrg("auth-failures");
});
afterAll(async () => {
  await stack?.stop();
});

/** A request from a given local address, as a distinct client. */
function from(localAddress: string, url: string, path: string, token: string, init: { method?: string; body?: unknown } = {}) {
  return new Promise<{ status: number; body: any; retryAfter?: string }>((resolve, reject) => {
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    const req = http.request(
      `${url}${path}`,
      { method: init.method ?? "GET", localAddress, headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) } },
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

  it("beyond the limit a client gets 429 with Retry-After on every API process, even with a valid token, until the window ends; others are unaffected", async () => {
    const bad = "cvg_org_guessing-0123456789abcdef";
    expect(await statuses(LIMIT, () => from("127.0.0.3", stack.url, "/api/v1/tenant", bad))).toEqual(Array(LIMIT).fill(401));
    const over = await from("127.0.0.3", stack.url, "/api/v1/tenant", bad);
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe("TOO_MANY_AUTH_FAILURES");
    expect(over.body.error.message).toMatch(/too many failed authentications from this address/);
    expect(Number(over.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(over.retryAfter)).toBeLessThanOrEqual(WINDOW_SECONDS);
    // A right guess now gets nowhere either.
    expect((await from("127.0.0.3", stack.url, "/api/v1/tenant", org.token)).status).toBe(429);

    // The other API process shares the count: its first failure from this client is already over the limit.
    expect((await from("127.0.0.3", other.url, "/api/v1/tenant", bad)).status).toBe(429);
    expect((await from("127.0.0.3", other.url, "/api/v1/tenant", org.token)).status).toBe(429);

    // Another client is not affected.
    expect((await from("127.0.0.4", stack.url, "/api/v1/tenant", org.token)).status).toBe(200);
    expect((await from("127.0.0.4", other.url, "/api/v1/tenant", bad)).status).toBe(401);

    // After the window, the client is let through again.
    await waitFor(async () => (await from("127.0.0.3", stack.url, "/api/v1/tenant", org.token)).status === 200, {
      timeoutMs: (WINDOW_SECONDS + 5) * 1000,
      intervalMs: 250,
      what: "the window to end",
    });
  });

  it("guessed tenant keys on convergence calls and forged access tokens count too", async () => {
    const converge = { method: "POST", body: { prompt: "x", agentARole: "A", agentBRole: "B" } };
    expect(await statuses(LIMIT + 1, () => from("127.0.0.5", stack.url, "/api/v1/converge", "sk_tenant_guessing-0123456789", converge))).toEqual([
      ...Array(LIMIT).fill(401),
      429,
    ]);
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
