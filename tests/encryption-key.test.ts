/**
 * ENCRYPTION_KEY against the database, on a private Postgres (a rotation rewrites every secret
 * of its database, which no other test may share): a process started with another key refuses
 * to start and writes nothing; `npm run rotate-encryption-key` moves every stored secret to a new
 * key, after which the stack runs on the new key with the same tenant keys, webhook secret and
 * signing keys, and the old key is refused.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from "./helpers/private-postgres.js";
import { runToExit } from "./helpers/run.js";
import { freePort, startStack, waitFor, type Stack } from "./helpers/stack.js";

const oldKey = randomBytes(32).toString("base64");
const newKey = randomBytes(32).toString("base64");

let pg: PrivatePostgres;
let stack: Stack;
let receiver: { url: string; received: { body: string; headers: Record<string, string> }[]; close(): Promise<void> };

const run = runToExit;

/** An API process started with `key`, on ports of its own, run until it exits. */
async function apiWithKey(key: string) {
  return run("api/main.ts", { ...stack.env, ENCRYPTION_KEY: key, PORT: String(await freePort()), OPS_PORT: String(await freePort()) });
}

/** Row counts and the key check: what a refused start must leave exactly as it was. */
async function snapshot() {
  const [counts] = await stack.sql`
    select (select count(*) from organisations)::int as orgs, (select count(*) from signing_keys)::int as signing_keys,
           (select count(*) from tenants)::int as tenants, (select check_value from encryption_key_check) as key_check`;
  return counts!;
}

async function call(base: string, path: string, token: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(base + path, {
    method: init.method ?? (init.body ? "POST" : "GET"),
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  const missing = privatePostgresUnavailable();
  if (missing) throw new Error(`cannot run a private Postgres: ${missing}; run scripts/setup.sh as root`);
  const received: { body: string; headers: Record<string, string> }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ body: Buffer.concat(chunks).toString("utf8"), headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])) });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  receiver = { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
  pg = await startPrivatePostgres();
  stack = await startStack("enckey", { DATABASE_URL: pg.url, ENCRYPTION_KEY: oldKey, WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${port}`, WEBHOOK_BACKOFF_MS: "200" });
}, 120_000);

afterAll(async () => {
  await stack?.stop().catch(() => {});
  pg?.destroy();
  await receiver?.close();
});

describe("ENCRYPTION_KEY at start-up", () => {
  it("an API or worker started with another valid key exits 78 saying the key does not match, and writes nothing", async () => {
    const before = await snapshot();
    expect(before.key_check).toMatch(/^v1\./); // written by the stack's first start
    expect(before.key_check).not.toContain(oldKey);

    const api = await apiWithKey(newKey);
    expect(api.code).toBe(78);
    expect(api.out).toContain("ENCRYPTION_KEY is not the key this database's secrets are encrypted with");
    expect(api.out).toContain("npm run rotate-encryption-key");
    const worker = await run("worker/main.ts", { ...stack.env, ENCRYPTION_KEY: newKey });
    expect(worker.code).toBe(78);
    expect(worker.out).toContain("ENCRYPTION_KEY is not the key");

    expect(await snapshot()).toEqual(before);
    expect(api.out + worker.out).not.toContain(newKey);
  });
});

describe("npm run rotate-encryption-key", () => {
  it("moves every stored secret to the new key: the stack runs on it with the same tenant key, webhook secret and signing key, and the old key is refused", async () => {
    const org = await stack.newOrg("enckey");
    const spawnBody = { name: "keyed", language: "node", framework: "express", webhookUrl: receiver.url };
    const idempotency = { "idempotency-key": "enckey-spawn" };
    const spawned = await call(stack.url, "/api/v1/tenant/spawn", org.token, { body: spawnBody, headers: idempotency });
    expect(spawned.status).toBe(202);
    const { envId, apiKey } = spawned.body.tenant as { envId: number; apiKey: string };
    const secret = (await call(stack.url, "/api/v1/webhooks/secret", org.token)).body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const minted = await call(stack.url, "/api/v1/auth/token", org.token, { body: {} });
    expect(minted.status).toBe(200);
    const kid = JSON.parse(Buffer.from(minted.body.token.split(".")[0], "base64url").toString()).kid as string;
    const deliveredOf = (type: string) =>
      receiver.received.filter((r) => (JSON.parse(r.body) as { type: string; data: { envId: number } }).type === type && JSON.parse(r.body).data.envId === envId);
    await waitFor(async () => deliveredOf("tenant.ready").length > 0, { timeoutMs: 90_000, what: "tenant.ready under the old key" });

    // The operator's procedure: stop API and workers, rotate, start them with the new key.
    stack.apiProcess.kill("SIGTERM");
    await stack.stopWorkers();
    await waitFor(async () => stack.apiProcess.exitCode !== null || stack.apiProcess.signalCode !== null, { timeoutMs: 15_000, what: "the API to stop" });
    const rotateEnv = { ...stack.env, NEW_ENCRYPTION_KEY: newKey };
    const rotated = await run("scripts/rotate-encryption-key.ts", rotateEnv);
    expect(rotated.code, rotated.out).toBe(0);
    expect(rotated.out).toMatch(/Re-encrypted under NEW_ENCRYPTION_KEY: 1 tenant key copies, 1 webhook secrets, [1-9]\d* signing keys/);
    const again = await run("scripts/rotate-encryption-key.ts", rotateEnv);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain("already under NEW_ENCRYPTION_KEY: nothing changed");
    const [stored] = await stack.sql`select api_key_enc from tenants where env_id = ${envId}`;
    expect(stored!.api_key_enc).not.toContain(apiKey.slice(10));

    const api = await stack.startExtraApi({ ENCRYPTION_KEY: newKey });
    stack.startWorker({ ENCRYPTION_KEY: newKey });
    await stack.waitForWorkers(1);

    // The spawn's replay decrypts the stored tenant key copy: the same key as at spawn.
    const replay = await call(api.url, "/api/v1/tenant/spawn", org.token, { body: spawnBody, headers: idempotency });
    expect(replay.status).toBe(202);
    expect(replay.body.tenant).toMatchObject({ envId, apiKey });
    expect((await call(api.url, "/api/v1/webhooks/secret", org.token)).body.secret).toBe(secret);
    const remint = await call(api.url, "/api/v1/auth/token", org.token, { body: {} });
    expect(JSON.parse(Buffer.from(remint.body.token.split(".")[0], "base64url").toString()).kid).toBe(kid); // the same signing key signs

    // The worker decrypts the webhook secret to sign tenant.destroyed; the receiver verifies it.
    expect((await call(api.url, `/api/v1/tenant/${envId}`, org.token, { method: "DELETE" })).status).toBe(202);
    const destroyed = await waitFor(async () => deliveredOf("tenant.destroyed")[0], { timeoutMs: 90_000, what: "tenant.destroyed under the new key" });
    expect(() => new Webhook(secret).verify(destroyed.body, destroyed.headers)).not.toThrow();

    const old = await apiWithKey(oldKey);
    expect(old.code).toBe(78);
    expect(old.out).toContain("ENCRYPTION_KEY is not the key this database's secrets are encrypted with");
  });

  it("refuses when ENCRYPTION_KEY is neither the database's key nor the new one, and changes nothing", async () => {
    const before = await snapshot();
    const wrong = await run("scripts/rotate-encryption-key.ts", { ...stack.env, ENCRYPTION_KEY: randomBytes(32).toString("base64"), NEW_ENCRYPTION_KEY: randomBytes(32).toString("base64") });
    expect(wrong.code).toBe(78);
    expect(wrong.out).toContain("does not match");
    expect(await snapshot()).toEqual(before);
  });
});
