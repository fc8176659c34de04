/**
 * @convergence/sdk against the real stack (API and worker processes, Postgres, Redis, Docker):
 * a brand-new organisation verifies its very first webhook, spawn waits for ready, the event
 * stream and live logs survive a connection cut for real, destroy waits, a real 429 is retried after its
 * Retry-After, and a tenant's convergence calls are metered; templates, the organisation's limits
 * and event stream, access tokens and token rotation; error classes, the request timeout, the
 * User-Agent. Also: the committed types are what the running API's document generates, and the
 * package `npm pack` makes passes publint and arethetypeswrong, installs into an empty project
 * and spawns a tenant there, through import and through require.
 */
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthError,
  ConflictError,
  Convergence,
  ConvergenceError,
  NotFoundError,
  RateLimitedError,
  RequestTimeoutError,
  TenantFailedError,
  ValidationError,
  VERSION,
  WebhookVerificationError,
  verifyWebhook,
  type OrganisationEvent,
  type RetryInfo,
  type TenantEvent,
} from "@convergence/sdk";
import { projectRoot } from "../shared/config.js";
import { WebhookPayloadSchema } from "../api/schemas.js";
import { renderTypes, typesFile } from "../sdk/scripts/openapi-types.js";
import { startReceiver } from "./helpers/receiver.js";
import { ownedContainers, startStack, waitFor, type Stack } from "./helpers/stack.js";
import { startTcpProxy } from "./helpers/tcp-proxy.js";
import { printInTenant } from "./helpers/tenant-print.js";

const adminToken = `cvg_org_${randomBytes(24).toString("base64url")}`;
let stack: Stack;
let org: { id: number; token: string };
let cvg: Convergence;
const created: number[] = [];
const express = { language: "node", framework: "express" } as const;

beforeAll(async () => {
  stack = await startStack("sdk", {
    CONVERGENCE_ADMIN_TOKEN: adminToken,
    WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
    TENANT_READY_TIMEOUT_MS: "5000",
    PROVISION_ATTEMPTS: "1",
  });
  org = await stack.newOrg("sdk-org");
  cvg = new Convergence({ baseUrl: stack.url, token: org.token });
});

afterAll(async () => {
  for (const envId of created) await cvg?.tenants.destroy(envId, { wait: true, timeoutMs: 60_000 }).catch(() => {});
  await stack?.stop();
});

describe("generated types", () => {
  it("the committed types are what this API's /openapi.json generates (else: npm run generate -w @convergence/sdk -- <API URL>)", async () => {
    const doc = await (await fetch(`${stack.url}/openapi.json`)).json();
    const generated = (await renderTypes(doc)).split("\n");
    const committed = readFileSync(typesFile, "utf8").split("\n");
    const firstDifference = generated.findIndex((line, i) => line !== committed[i]);
    const where = firstDifference < 0 && generated.length === committed.length ? "" : `first difference at line ${firstDifference + 1}: ${generated[firstDifference]}`;
    expect(where, "sdk/src/generated/openapi.ts is stale").toBe("");
  });
});

describe("webhooks from the first one", () => {
  it("a brand-new organisation reads its signing secret, spawns with a webhook URL, and verifies its first tenant.ready", async () => {
    const operator = new Convergence({ baseUrl: stack.url, token: adminToken });
    const { organisation, token } = await operator.orgs.create("sdk-fresh");
    expect(token).toMatch(/^cvg_org_/);
    const fresh = new Convergence({ baseUrl: stack.url, token });
    const { secret, prefix } = await fresh.webhooks.secret();
    expect(secret).toMatch(/^whsec_/);
    expect(prefix).toBe(secret.slice(0, 12));

    const receiver = await startReceiver();
    try {
      const tenant = await fresh.tenants.spawn({ name: "hooked", ...express, webhookUrl: receiver.url }, { wait: "ready", timeoutMs: 90_000 });
      created.push(tenant.envId);
      expect(tenant).toMatchObject({ status: "ready", orgId: organisation.id, name: "hooked", webhookUrl: receiver.url });
      expect(tenant.apiKey).toMatch(/^sk_tenant_/);
      expect((await fetch(`http://127.0.0.1:${tenant.port}/health`)).status).toBe(200);

      const delivery = await waitFor(async () => receiver.received.find((r) => r.body.includes('"tenant.ready"')), { timeoutMs: 30_000, what: "tenant.ready at the receiver" });
      const payload = verifyWebhook(delivery.body, delivery.headers, secret);
      expect(payload).toMatchObject({
        type: "tenant.ready",
        data: { envId: tenant.envId, tenantId: `tenant_${tenant.envId}`, orgId: organisation.id, status: "ready", previousStatus: "starting", port: tenant.port },
      });
      // What is sent is what the OpenAPI document says is sent (strict: no field more or less).
      WebhookPayloadSchema.parse(payload);
      // The same check with Fetch Headers; and what must not verify does not.
      const headers = new Headers(Object.entries(delivery.headers).map(([k, v]): [string, string] => [k, String(v)]));
      expect(verifyWebhook(Buffer.from(delivery.body), headers, secret).type).toBe("tenant.ready");
      expect(() => verifyWebhook(delivery.body.replace("hooked", "hacked"), delivery.headers, secret)).toThrow(WebhookVerificationError);
      expect(() => verifyWebhook(delivery.body, delivery.headers, `whsec_${Buffer.alloc(32, 7).toString("base64")}`)).toThrow(WebhookVerificationError);
      expect(() => verifyWebhook(delivery.body, { ...delivery.headers, "webhook-signature": undefined }, secret)).toThrow(WebhookVerificationError);

      // The delivery log, through the SDK, has it as delivered at the first attempt.
      const log = await waitFor(async () => (await fresh.tenants.webhooks(tenant.envId)).find((e) => e.type === "tenant.ready" && e.status === "delivered"), {
        timeoutMs: 10_000,
        what: "tenant.ready delivered in the log",
      });
      expect(log.attempts.map((a) => a.httpStatus)).toEqual([200]);
      await fresh.tenants.destroy(tenant.envId, { wait: true });
    } finally {
      await receiver.close();
    }
  });
});

describe("tenants", () => {
  it("events yields the transitions in order, and after the connection is cut resumes with Last-Event-ID, missing and repeating nothing", async () => {
    const proxy = await startTcpProxy(stack.url);
    try {
      const viaProxy = new Convergence({ baseUrl: proxy.url, token: org.token });
      const tenant = await cvg.tenants.spawn({ name: "watched", ...express });
      created.push(tenant.envId);
      const seen: TenantEvent[] = [];
      let cutAfter: number | undefined;
      for await (const event of viaProxy.tenants.events(tenant.envId, { reconnectDelayMs: 200, signal: AbortSignal.timeout(90_000) })) {
        seen.push(event);
        if (event.to === "ready" && cutAfter === undefined) {
          cutAfter = event.id;
          proxy.cut(); // both sockets destroyed: the stream breaks mid-read, as on a network failure
          await cvg.tenants.destroy(tenant.envId);
        }
      }
      expect(seen.map((e) => [e.from, e.to])).toEqual([
        [null, "pending"],
        ["pending", "provisioning"],
        ["provisioning", "starting"],
        ["starting", "ready"],
        ["ready", "destroying"],
        ["destroying", "destroyed"],
      ]);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.id).toBeGreaterThan(seen[i - 1]!.id);
      for (const e of seen) expect(Number.isNaN(Date.parse(e.at))).toBe(false);
      const streams = proxy.heads.filter((h) => h.startsWith(`GET /api/v1/tenant/${tenant.envId}/events `));
      expect(streams).toHaveLength(2);
      expect(streams[0]).not.toMatch(/^last-event-id:/im);
      expect(streams[1]).toMatch(new RegExp(`^last-event-id: ${cutAfter}\\r?$`, "im"));
      expect(proxy.connections).toBeGreaterThanOrEqual(2);
    } finally {
      await proxy.close();
    }
  });

  it("logs with follow yields the lines the tenant prints after the call started, across a dropped connection without losing or repeating one, and ends when the tenant is destroyed", async () => {
    const proxy = await startTcpProxy(stack.url);
    try {
      const viaProxy = new Convergence({ baseUrl: proxy.url, token: org.token });
      const tenant = await cvg.tenants.spawn({ name: "logged", ...express }, { wait: "ready" });
      created.push(tenant.envId);
      const run = randomBytes(4).toString("hex");
      const before = `before the cut ${run}`;
      const during = `while disconnected ${run}`;
      const after = `after the reconnect ${run}`;
      const textOf = (line: string) => line.slice(line.indexOf(" ") + 1);
      const seen: string[] = [];
      // Reconnecting a second after the cut leaves time to print a line while no connection is open.
      const lines = viaProxy.tenants.logs(tenant.envId, { follow: true, tail: 1, reconnectDelayMs: 1000, signal: AbortSignal.timeout(90_000) });
      for await (const line of lines) {
        seen.push(line);
        const text = textOf(line);
        if (seen.length === 1) await printInTenant(stack, tenant.envId, before);
        else if (text === before) {
          proxy.cut();
          await printInTenant(stack, tenant.envId, during);
        } else if (text === during) await printInTenant(stack, tenant.envId, after);
        else if (text === after) await cvg.tenants.destroy(tenant.envId);
      }
      expect(seen.map(textOf)).toEqual([`${tenant.tenantId} (logged) listening on 3000`, before, during, after]);
      for (const line of seen) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /);
      // Once a line was received, every connection resumed after the last one, so the tail was not
      // sent again. A refused attempt (429 while the server still holds the cut stream's slot, 503)
      // is retried, and a stream the destroy broke before its `end` is reconnected: there may be
      // more than two, and retries before the first line carry no Last-Event-ID.
      const streams = proxy.heads.filter((h) => h.startsWith(`GET /api/v1/tenant/${tenant.envId}/logs?`));
      const resumed = streams.findIndex((h) => /^last-event-id:/im.test(h));
      expect(resumed).toBeGreaterThan(0);
      for (const head of streams.slice(resumed)) expect(head).toMatch(/^last-event-id: \d{19}\r?$/im);
      expect((await cvg.tenants.get(tenant.envId)).status).toBe("destroyed");
    } finally {
      await proxy.close();
    }
  });

  it("destroy with wait resolves once the tenant is destroyed and its container gone", async () => {
    const tenant = await cvg.tenants.spawn({ name: "doomed", ...express }, { wait: "ready" });
    created.push(tenant.envId);
    expect(await ownedContainers(stack, tenant.envId)).toHaveLength(1);
    const destroyed = await cvg.tenants.destroy(tenant.envId, { wait: true });
    expect(destroyed.status).toBe("destroyed");
    expect(destroyed.destroyedAt).not.toBeNull();
    expect(await ownedContainers(stack, tenant.envId)).toHaveLength(0);
    // Destroyed is final; waiting for ready on it says so instead of waiting out the timeout.
    await expect(cvg.tenants.wait(tenant.envId, "ready")).rejects.toMatchObject({ code: "TENANT_DESTROYED" });
  });

  it("a tenant that fails makes spawn with wait reject with TenantFailedError, carrying the tenant and why", async () => {
    const failure = await cvg.tenants.spawn({ name: "broken", language: "node", framework: "unhealthy" }, { wait: "ready" }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TenantFailedError);
    const { tenant } = failure as TenantFailedError;
    created.push(tenant.envId);
    expect(tenant.status).toBe("failed");
    expect(tenant.error).toMatch(/step "health"/);
    expect((failure as TenantFailedError).code).toBe("TENANT_FAILED");
  });

  it("lists page by page, reads logs, rotates the key, and every error is typed with the API's code and status", async () => {
    const a = await cvg.tenants.spawn({ name: "listed-a", ...express }, { wait: "ready" });
    const b = await cvg.tenants.spawn({ name: "listed-b", ...express });
    created.push(a.envId, b.envId);
    const page = await cvg.tenants.list({ limit: 1 });
    expect(page.tenants).toHaveLength(1);
    expect(page.nextCursor).not.toBeNull();
    const all: number[] = [];
    for await (const t of cvg.tenants.listAll({ limit: 1 })) all.push(t.envId);
    expect(all).toEqual(expect.arrayContaining([a.envId, b.envId]));
    expect(new Set(all).size).toBe(all.length);
    const ready = await cvg.tenants.list({ status: ["ready"] });
    expect(ready.tenants.every((t) => t.status === "ready")).toBe(true);

    const lines: string[] = [];
    for await (const line of cvg.tenants.logs(a.envId, { tail: 20 })) lines.push(line);
    expect(lines.some((l) => l.includes("listening on 3000"))).toBe(true);

    const rotated = await cvg.tenants.rotateKey(a.envId);
    expect(rotated.apiKey).toMatch(/^sk_tenant_/);
    expect(rotated.apiKey).not.toBe(a.apiKey);
    const oldKey = await Convergence.tenant({ baseUrl: stack.url, apiKey: a.apiKey! })
      .converge({ prompt: "x", agentARole: "A", agentBRole: "B" })
      .catch((e: unknown) => e);
    expect(oldKey).toMatchObject({ code: "UNAUTHORIZED", status: 401, isAuthError: true });

    const missing = await cvg.tenants.get(2_000_000).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConvergenceError);
    expect(missing).toMatchObject({ code: "NOT_FOUND", status: 404, retryAfter: null });
    expect((missing as ConvergenceError).requestId).toMatch(/\S/);
    const invalid = await cvg.tenants.spawn({ name: "Not A Label", ...express }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ code: "VALIDATION_FAILED", status: 400 });
    expect((invalid as ConvergenceError).details).toMatchObject({ issues: [expect.objectContaining({ path: "name" })] });
    const stranger = await new Convergence({ baseUrl: stack.url, token: "cvg_org_not-a-real-token" }).tenants.list().catch((e: unknown) => e);
    expect(stranger).toMatchObject({ code: "UNAUTHORIZED", status: 401, isAuthError: true });
    const notOperator = await cvg.orgs.create("nope").catch((e: unknown) => e);
    expect(notOperator).toMatchObject({ code: "FORBIDDEN", status: 403 });
  });

  it("every call takes an AbortSignal: aborting a held wait or an open event stream rejects with the signal's reason", async () => {
    const tenant = await cvg.tenants.spawn({ name: "patient", ...express }, { wait: "ready" });
    created.push(tenant.envId);
    const why = new Error("changed my mind");
    const held = new AbortController();
    const waiting = cvg.tenants.wait(tenant.envId, "unhealthy", { timeoutMs: 60_000, signal: held.signal });
    setTimeout(() => held.abort(why), 300);
    await expect(waiting).rejects.toBe(why);

    const streaming = new AbortController();
    const events: TenantEvent[] = [];
    const consume = (async () => {
      for await (const e of cvg.tenants.events(tenant.envId, { signal: streaming.signal })) {
        events.push(e);
        if (e.to === "ready") streaming.abort(why); // history delivered; the stream now idles
      }
    })();
    await expect(consume).rejects.toBe(why);
    expect(events.at(-1)?.to).toBe("ready");
  });

  it("a connection that cannot be made is retried within the attempts allowed, then fails as CONNECTION_FAILED", async () => {
    const retries: RetryInfo[] = [];
    const nowhere = new Convergence({ baseUrl: "http://127.0.0.1:9", token: org.token, retry: { maxAttempts: 3, baseDelayMs: 10, onRetry: (r) => retries.push(r) } });
    const failure = await nowhere.tenants.list().catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: "CONNECTION_FAILED", status: null });
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
  });
});

describe("convergence calls, quotas and usage", () => {
  it("a real 429 is retried after its Retry-After, a month-long one is not waited for, and the tenant's calls are metered", async () => {
    const tenant = await cvg.tenants.spawn({ name: "metered", ...express, quota: { callsPerMinute: 1 } }, { wait: "ready" });
    created.push(tenant.envId);
    const input = { prompt: "Design a rate limiter", agentARole: "Architect", agentBRole: "Reviewer" };
    // The quota counts per calendar minute: start early in one, so the second call is surely in the same minute.
    await waitFor(async () => new Date().getSeconds() < 45, { timeoutMs: 20_000, intervalMs: 250, what: "the first 45 s of a minute" });

    const first = await Convergence.tenant({ baseUrl: stack.url, apiKey: tenant.apiKey! }).converge(input);
    expect(first.final).not.toBe("");

    const refused = await Convergence.tenant({ baseUrl: stack.url, apiKey: tenant.apiKey!, retry: false })
      .converge(input)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConvergenceError);
    expect(refused).toMatchObject({ code: "RATE_LIMITED", status: 429 });
    const retryAfter = (refused as ConvergenceError).retryAfter!;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // Retrying at once would be refused again (same minute, same quota): success means the SDK waited as told.
    const retries: RetryInfo[] = [];
    const patient = Convergence.tenant({ baseUrl: `${stack.url}/api/v1`, apiKey: tenant.apiKey!, retry: { maxAttempts: 3, onRetry: (r) => retries.push(r) } });
    const second = await patient.converge(input);
    expect(second.final).not.toBe("");
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries[0]).toMatchObject({ attempt: 1, error: { code: "RATE_LIMITED", status: 429 } });
    expect(retries[0]!.delayMs).toBe(retries[0]!.error.retryAfter! * 1000);

    const usage = await cvg.usage.get({ tenantId: tenant.tenantId });
    expect(usage.tenants).toHaveLength(1);
    expect(usage.tenants[0]).toMatchObject({ envId: tenant.envId, calls: 2, succeeded: 2 });
    expect(usage.tenants[0]!.refused).toBe(1 + retries.length);
    expect(usage.totals.calls).toBe(2);

    // A monthly quota's Retry-After is days away: thrown at once with it, never slept on.
    const monthly = await cvg.tenants.spawn({ name: "monthly", ...express, quota: { callsPerMonth: 1 } }, { wait: "ready" });
    created.push(monthly.envId);
    const monthlyRetries: RetryInfo[] = [];
    const client = Convergence.tenant({ baseUrl: stack.url, apiKey: monthly.apiKey!, retry: { onRetry: (r) => monthlyRetries.push(r) } });
    await client.converge(input);
    const exhausted = await client.converge(input).catch((e: unknown) => e);
    expect(exhausted).toMatchObject({ code: "QUOTA_EXCEEDED", status: 429 });
    expect(exhausted).toBeInstanceOf(RateLimitedError);
    expect((exhausted as ConvergenceError).retryAfter).toBeGreaterThan(60);
    expect(monthlyRetries).toEqual([]);
  });
});

describe("every operation of the API", () => {
  it("templates, the organisation's limits and usage, its event stream with each tenant, and tenant_N ids everywhere", async () => {
    const templates = await cvg.templates.list();
    expect(templates).toEqual(expect.arrayContaining([expect.objectContaining({ id: "node/express", language: "node", framework: "express" })]));

    const before = await cvg.org.get();
    expect(before).toMatchObject({ organisation: { id: org.id }, limits: { maxTenants: expect.any(Number) }, usage: { liveTenants: expect.any(Number) } });

    const stream = new AbortController();
    const seen: OrganisationEvent[] = [];
    const t = await cvg.tenants.spawn({ name: "org-watched", ...express });
    created.push(t.envId);
    const watching = (async () => {
      for await (const event of cvg.org.events({ lastEventId: 0, signal: stream.signal })) {
        if (event.envId !== t.envId) continue;
        seen.push(event);
        if (event.to === "ready") stream.abort();
      }
    })().catch((e: unknown) => (stream.signal.aborted ? undefined : Promise.reject(e)));
    // The handle: the tenant's data, with its calls bound to it; waiting refreshes it in place.
    await t.waitUntilReady({ timeoutMs: 90_000 });
    expect(t).toMatchObject({ status: "ready", name: "org-watched", apiKey: expect.stringMatching(/^sk_tenant_/) });
    expect(JSON.parse(JSON.stringify(t))).toMatchObject({ envId: t.envId, status: "ready" });
    await watching;
    expect(seen.map((e) => e.to)).toEqual(["pending", "provisioning", "starting", "ready"]);
    expect(seen.at(-1)).toMatchObject({ tenantId: t.tenantId, name: "org-watched", tenant: { envId: t.envId, status: "ready" } });
    expect((await cvg.org.get()).usage.liveTenants).toBeGreaterThanOrEqual(1);

    // tenant_N and N are the same tenant to every call.
    expect((await cvg.tenants.get(t.tenantId)).envId).toBe(t.envId);
    const handle = await cvg.tenants.handle(`tenant_${t.envId}`);
    const lines: string[] = [];
    for await (const line of handle.logs({ tail: 5 })) lines.push(line);
    expect(lines.some((l) => l.includes("listening on 3000"))).toBe(true);
    await expect(cvg.tenants.get("tenant_x")).rejects.toThrow(TypeError);
  });

  it("access tokens: scoped to some rights and tenants, refused beyond them; rotating the organisation token moves the client to the new one and refuses the old", async () => {
    const fresh = await stack.newOrg("sdk-tokens");
    const owner = new Convergence({ baseUrl: stack.url, token: fresh.token });
    const mine = await owner.tenants.spawn({ name: "scoped", ...express });
    const other = await owner.tenants.spawn({ name: "unscoped", ...express });
    const { token, scopes, tenants, expiresIn } = await owner.accessTokens.create({ scopes: ["tenants:read"], tenants: [mine.tenantId], ttlSeconds: 300 });
    expect({ scopes, tenants }).toEqual({ scopes: ["tenants:read"], tenants: [mine.envId] });
    expect(expiresIn).toBeGreaterThan(200);
    expect(expiresIn).toBeLessThanOrEqual(300);
    const reader = new Convergence({ baseUrl: stack.url, token });
    expect((await reader.tenants.get(mine.envId)).name).toBe("scoped");
    await expect(reader.tenants.get(other.envId)).rejects.toBeInstanceOf(NotFoundError);
    const write = await reader.tenants.destroy(mine.envId).catch((e: unknown) => e);
    expect(write).toBeInstanceOf(AuthError);
    expect(write).toMatchObject({ code: "INSUFFICIENT_SCOPE", status: 403 });

    const old = fresh.token;
    const rotated = await owner.org.rotateToken();
    expect(rotated.token).toMatch(/^cvg_org_/);
    expect(rotated.token).not.toBe(old);
    // The same client goes on, with the new token; the old one, and the access token from it, are refused.
    expect((await owner.tenants.get(mine.envId)).envId).toBe(mine.envId);
    await expect(new Convergence({ baseUrl: stack.url, token: old }).tenants.list()).rejects.toBeInstanceOf(AuthError);
    await expect(reader.tenants.get(mine.envId)).rejects.toBeInstanceOf(AuthError);
    for (const t of [mine, other]) await t.destroy({ wait: true, timeoutMs: 60_000 });
  });

  it("errors are classes a caller tells apart with instanceof, all ConvergenceErrors; User-Agent names the SDK's version; a silent server is a RequestTimeoutError", async () => {
    const proxy = await startTcpProxy(stack.url);
    try {
      const viaProxy = new Convergence({ baseUrl: proxy.url, token: org.token });
      const missing = await viaProxy.tenants.get("tenant_2000000").catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(NotFoundError);
      expect(missing).toBeInstanceOf(ConvergenceError);
      expect(missing).toMatchObject({ name: "NotFoundError", code: "NOT_FOUND", status: 404 });
      expect(proxy.heads.at(-1)).toMatch(new RegExp(`^user-agent: convergence-sdk/${VERSION.replace(/\./g, "\\.")}\\r?$`, "im"));
    } finally {
      await proxy.close();
    }
    expect(VERSION).toBe(JSON.parse(readFileSync(join(projectRoot, "sdk/package.json"), "utf8")).version);

    const invalid = await cvg.tenants.spawn({ name: "Not A Label", ...express }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    const stranger = await new Convergence({ baseUrl: stack.url, token: "cvg_org_not-a-real-token" }).tenants.list().catch((e: unknown) => e);
    expect(stranger).toBeInstanceOf(AuthError);
    const key = `sdk-${randomBytes(4).toString("hex")}`;
    const first = await cvg.tenants.spawn({ name: "idem-a", ...express }, { idempotencyKey: key });
    created.push(first.envId);
    const reused = await cvg.tenants.spawn({ name: "idem-b", ...express }, { idempotencyKey: key }).catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(ConflictError);
    expect(reused).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED", status: 409 });

    // A server that accepts the connection and never answers.
    const sockets = new Set<import("node:net").Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const slow = new Convergence({ baseUrl: `http://127.0.0.1:${port}`, token: org.token, timeoutMs: 300, retry: false });
      const timedOut = await slow.templates.list().catch((e: unknown) => e);
      expect(timedOut).toBeInstanceOf(RequestTimeoutError);
      expect(timedOut).toMatchObject({ code: "REQUEST_TIMEOUT", status: null });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe("the package", () => {
  const run = (file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      execFile(file, args, { ...options, timeout: 170_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
    );

  it("npm pack makes a package publint and arethetypeswrong pass, which installs into an empty project and spawns a tenant there, through import and require", async () => {
    const dir = mkdtempSync(join(tmpdir(), "convergence-sdk-package-"));
    try {
      // Build, pack, publint --strict, attw: the script fails (and so this test) on any problem either finds.
      const checked = await run(process.execPath, [join(projectRoot, "sdk/scripts/check-package.mjs"), join(dir, "pack")], { cwd: join(projectRoot, "sdk") });
      expect(checked.code, `${checked.stdout}\n${checked.stderr}`).toBe(0);
      expect(checked.stdout).toMatch(/No problems found/);
      const tarball = checked.stdout.trim().split("\n").at(-1)!;
      expect(tarball).toMatch(/convergence-sdk-\d+\.\d+\.\d+\.tgz$/);

      // An empty project, outside the repository; the dependencies come from npm's cache (the registry only for what is not in it).
      const app = join(dir, "app");
      execFileSync("mkdir", ["-p", app]);
      writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true }));
      const installed = await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], { cwd: app });
      expect(installed.code, installed.stderr).toBe(0);

      writeFileSync(
        join(app, "spawn.mjs"),
        `import { Convergence, VERSION } from "@convergence/sdk";
const cvg = new Convergence(); // CONVERGENCE_URL, CONVERGENCE_TOKEN
const t = await cvg.tenants.spawn({ name: "packaged", language: "node", framework: "express" });
await t.waitUntilReady({ timeoutMs: 90000 });
let first;
for await (const line of t.logs({ follow: true, tail: 1 })) { first = line; break; }
const health = (await fetch("http://127.0.0.1:" + t.port + "/health")).status;
await t.destroy({ wait: true });
console.log(JSON.stringify({ version: VERSION, envId: t.envId, status: t.status, health, first, key: t.apiKey.slice(0, 10) }));
`,
      );
      writeFileSync(
        join(app, "require.cjs"),
        `const { Convergence, ConvergenceError, NotFoundError } = require("@convergence/sdk");
new Convergence().tenants.get("tenant_2000000").then(
  () => console.log("{}"),
  (e) => console.log(JSON.stringify({ notFound: e instanceof NotFoundError, base: e instanceof ConvergenceError, code: e.code })),
);
`,
      );
      const env = { ...process.env, CONVERGENCE_URL: stack.url, CONVERGENCE_TOKEN: org.token, NODE_OPTIONS: "" };
      const esm = await run(process.execPath, ["spawn.mjs"], { cwd: app, env });
      expect(esm.code, esm.stderr).toBe(0);
      const spawned = JSON.parse(esm.stdout);
      created.push(spawned.envId);
      expect(spawned).toMatchObject({ version: VERSION, status: "destroyed", health: 200, key: "sk_tenant_" });
      expect(spawned.first).toMatch(/ tenant_\d+ \(packaged\) listening on 3000$/);
      const cjs = await run(process.execPath, ["require.cjs"], { cwd: app, env });
      expect(cjs.code, cjs.stderr).toBe(0);
      expect(JSON.parse(cjs.stdout)).toEqual({ notFound: true, base: true, code: "NOT_FOUND" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
