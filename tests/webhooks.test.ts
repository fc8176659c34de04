/**
 * Webhooks over the real stack: a local receiver (127.0.0.1 only) that fails the first attempts,
 * Standard Webhooks signatures checked with the `standardwebhooks` package, the delivery log,
 * 410 Gone, the sweep that recovers events whose job was lost, and the SSRF checks on targets
 * (those URLs are only validated, never contacted).
 */
import { eq } from "drizzle-orm";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { sql as dsql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenants, webhookEvents } from "../shared/db/schema.js";
import { jobs } from "../shared/jobs.js";
import { webhookEventTypeFor } from "../shared/webhooks/event-catalog.js";
import { checkWebhookTarget, classifyAddress, isAllowedHost } from "../shared/webhooks/target.js";
import { logDir, spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";

describe("webhook target classification", () => {
  it("refuses loopback, private, link-local, CGNAT, unspecified and their IPv4-mapped forms, and passes public addresses", () => {
    const refused: Record<string, string> = {
      "127.0.0.1": "loopback",
      "127.255.0.9": "loopback",
      "10.0.0.1": "private",
      "172.16.0.1": "private",
      "172.17.0.1": "private", // Docker's default bridge
      "172.31.255.255": "private",
      "192.168.1.10": "private",
      "169.254.169.254": "link-local",
      "100.64.0.1": "cgnat",
      "100.127.255.254": "cgnat",
      "0.0.0.0": "unspecified",
      "224.0.0.251": "multicast",
      "255.255.255.255": "reserved",
      "::1": "loopback",
      "::": "unspecified",
      "[::1]": "loopback",
      "::ffff:127.0.0.1": "loopback",
      "::ffff:7f00:1": "loopback",
      "0:0:0:0:0:ffff:a9fe:a9fe": "link-local",
      "::ffff:10.1.2.3": "private",
      "64:ff9b::10.0.0.1": "private",
      "fc00::1": "private",
      "fd12:3456::1": "private",
      "fe80::1": "link-local",
      "fe80::1%eth0": "link-local",
      "ff02::1": "multicast",
      "not-an-ip": "reserved",
    };
    for (const [ip, cls] of Object.entries(refused)) expect([ip, classifyAddress(ip)]).toEqual([ip, cls]);
    for (const ip of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"]) {
      expect([ip, classifyAddress(ip)]).toEqual([ip, null]);
    }
  });

  it("an allow-list entry names a host (any port) or a host:port", () => {
    const url = new URL("http://127.0.0.1:4242/hook");
    expect(isAllowedHost(url, ["127.0.0.1"])).toBe(true);
    expect(isAllowedHost(url, ["127.0.0.1:4242"])).toBe(true);
    expect(isAllowedHost(url, ["127.0.0.1:4243"])).toBe(false);
    expect(isAllowedHost(url, [])).toBe(false);
    expect(isAllowedHost(new URL("https://Hooks.Example.com/x"), ["hooks.example.com:443"])).toBe(true);
    expect(isAllowedHost(new URL("http://[::1]:9/x"), ["[::1]:9"])).toBe(true);
    expect(isAllowedHost(new URL("http://[::1]:9/x"), ["::1"])).toBe(true);
  });

  it("checks IP literals without contacting them, and hosts by every address they resolve to", async () => {
    const opts = { allowedHosts: [], timeoutMs: 2000 };
    for (const url of ["http://10.0.0.1/x", "http://169.254.169.254/", "http://[::ffff:127.0.0.1]:9/", "http://0x7f000001:9/", "http://localhost:9/x"]) {
      await expect(checkWebhookTarget(url, opts), url).rejects.toThrow(/address/);
    }
    await expect(checkWebhookTarget("ftp://example.com/", opts)).rejects.toThrow(/http/);
    await expect(checkWebhookTarget("http://user:pw@127.0.0.1:9/", { allowedHosts: ["127.0.0.1"], timeoutMs: 2000 })).rejects.toThrow(/credentials/);
    await expect(checkWebhookTarget("http://127.0.0.1:9/", { allowedHosts: ["127.0.0.1"], timeoutMs: 2000 })).resolves.toMatchObject({ addresses: [] });
    await expect(checkWebhookTarget("http://8.8.8.8/", opts)).resolves.toMatchObject({ addresses: [] });
  });

  it("maps state changes to event types", () => {
    expect(webhookEventTypeFor("starting", "ready")).toBe("tenant.ready");
    expect(webhookEventTypeFor("unhealthy", "ready")).toBe("tenant.recovered");
    expect(webhookEventTypeFor("starting", "ready", true)).toBe("tenant.recovered");
    expect(webhookEventTypeFor("ready", "unhealthy")).toBe("tenant.unhealthy");
    expect(webhookEventTypeFor("starting", "failed")).toBe("tenant.failed");
    expect(webhookEventTypeFor("destroying", "destroyed")).toBe("tenant.destroyed");
    expect(webhookEventTypeFor("pending", "provisioning")).toBeNull();
    expect(webhookEventTypeFor("ready", "destroying")).toBeNull();
  });
});

interface Received {
  id: string;
  path: string;
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** A webhook receiver on 127.0.0.1: each webhook-id's first `failFirst` attempts get 500, /gone/* gets 410. */
async function startReceiver(failFirst: number) {
  const received: Received[] = [];
  const seen = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const id = String(req.headers["webhook-id"] ?? "");
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      const status = req.url?.startsWith("/gone") ? 410 : n <= failFirst ? 500 : 200;
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      received.push({ id, path: req.url ?? "", status, body: Buffer.concat(chunks).toString("utf8"), headers });
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "nope");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    received,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const signatureHeaders = (r: Received) => ({
  "webhook-id": r.headers["webhook-id"]!,
  "webhook-timestamp": r.headers["webhook-timestamp"]!,
  "webhook-signature": r.headers["webhook-signature"]!,
});

describe("webhook delivery", () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let stack: Stack;
  let strict: Stack;

  beforeAll(async () => {
    receiver = await startReceiver(3);
    // The allow-list names exactly the receiver's host:port; the second stack has no allow-list at all.
    [stack, strict] = await Promise.all([
      startStack("webhooks", {
        WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${receiver.port}`,
        WEBHOOK_BACKOFF_MS: "200",
        WEBHOOK_SWEEP_MS: "1000",
      }),
      startStack("webhooks-strict", {}, { workers: 0 }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([stack?.stop(), strict?.stop()]);
    await receiver?.close();
  });

  /** An organisation of its own for each test, with a signing secret the test knows. */
  async function orgWithSecret() {
    const org = await stack.newOrg("webhooks-org");
    const rotated = await stack.api("/api/v1/webhooks/secret/rotate", { method: "POST", token: org.token });
    expect(rotated.status).toBe(200);
    return { ...org, secret: rotated.body.secret as string };
  }

  /** What the receiver got for this tenant's events, by type. */
  const receivedFor = (envId: number, type: string) =>
    receiver.received.filter((r) => {
      const body = JSON.parse(r.body) as { type?: string; data?: { envId?: number } };
      return body.type === type && body.data?.envId === envId;
    });

  /** Spawns a tenant whose webhook points at the receiver; resolves once it is ready and tenant.ready got through. */
  async function readyHookedTenant(org: { token: string }, path: string) {
    const res = await spawnViaApi(stack, org.token, { name: "hooked", webhookUrl: receiver.url(path) });
    expect(res.status).toBe(202);
    const tenant = res.body.tenant as { envId: number; tenantId: string; apiKey: string; port: number; webhookUrl: string };
    expect((await waitForStatus(stack, org.token, tenant.envId, ["ready", "failed"])).status).toBe("ready");
    const delivered = await waitFor(async () => receivedFor(tenant.envId, "tenant.ready").find((r) => r.status === 200), {
      timeoutMs: 30_000,
      what: "a successful tenant.ready delivery",
    });
    return { tenant, delivered };
  }

  it("the signing secret is readable by its organisation from the start, created on first read; rotation replaces it", async () => {
    const org = await stack.newOrg("webhooks-secret");
    const unauth = await stack.api("/api/v1/webhooks/secret");
    expect(unauth.status).toBe(401);
    const first = await stack.api("/api/v1/webhooks/secret", { token: org.token });
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(first.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{42,}={0,2}$/);
    expect(Buffer.from(first.body.secret.slice(6), "base64").length).toBeGreaterThanOrEqual(24);
    expect(first.body.prefix).toBe(first.body.secret.slice(0, 12));
    // Stored, not made up per read; and another organisation has its own.
    expect((await stack.api("/api/v1/webhooks/secret", { token: org.token })).body.secret).toBe(first.body.secret);
    const other = await stack.newOrg("webhooks-secret-other");
    expect((await stack.api("/api/v1/webhooks/secret", { token: other.token })).body.secret).not.toBe(first.body.secret);

    expect((await stack.api("/api/v1/webhooks/secret/rotate", { method: "POST" })).status).toBe(401);
    const rotated = await stack.api("/api/v1/webhooks/secret/rotate", { method: "POST", token: org.token });
    expect(rotated.status).toBe(200);
    const secret: string = rotated.body.secret;
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(first.body.secret);
    expect((await stack.api("/api/v1/webhooks/secret", { token: org.token })).body).toEqual({ success: true, secret, prefix: secret.slice(0, 12) });
  });

  it("tenant.ready arrives on the 4th attempt after three 500s, once, with a valid Standard Webhooks signature, and every attempt is logged", async () => {
    const org = await orgWithSecret();
    const { tenant, delivered } = await readyHookedTenant(org, "/hooks/ready");
    expect(tenant.webhookUrl).toBe(receiver.url("/hooks/ready"));
    const eventId = delivered.id;
    expect(eventId).toMatch(/^msg_/);

    // Three 500s, then one 200; every request signed with the organisation's secret.
    const forEvent = receiver.received.filter((r) => r.id === eventId);
    expect(forEvent.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    const wh = new Webhook(org.secret);
    for (const r of forEvent) {
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      const payload = wh.verify(r.body, signatureHeaders(r)) as any;
      expect(payload).toMatchObject({
        type: "tenant.ready",
        data: {
          envId: tenant.envId,
          tenantId: `tenant_${tenant.envId}`,
          orgId: org.id,
          name: "hooked",
          status: "ready",
          previousStatus: "starting",
          port: tenant.port,
        },
      });
      expect(new Date(payload.timestamp).getTime()).not.toBeNaN();
      expect(r.body).not.toContain(tenant.apiKey);
      expect(r.body).not.toMatch(/sk_tenant_|whsec_/);
    }
    // A tampered body or a different secret does not verify.
    expect(() => wh.verify(delivered.body.replace("hooked", "hacked"), signatureHeaders(delivered))).toThrow();
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString("base64")}`).verify(delivered.body, signatureHeaders(delivered))).toThrow();

    // The delivery log shows every attempt.
    const log = await waitFor(
      async () => {
        const r = await stack.api(`/api/v1/tenant/${tenant.envId}/webhooks`, { token: org.token });
        const ev = r.body?.events?.find((e: { id: string }) => e.id === eventId);
        return ev?.status === "delivered" ? ev : null;
      },
      { timeoutMs: 10_000, what: "the event to show as delivered" },
    );
    expect(log).toMatchObject({ type: "tenant.ready", url: receiver.url("/hooks/ready"), attemptCount: 4 });
    expect(log.deliveredAt).not.toBeNull();
    expect(log.attempts.map((a: { attempt: number; httpStatus: number }) => [a.attempt, a.httpStatus])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 200],
    ]);
    for (const a of log.attempts) {
      expect(a.durationMs).toBeGreaterThanOrEqual(0);
      expect(new Date(a.at).getTime()).not.toBeNaN();
    }

    // Another organisation cannot read it.
    const other = await stack.newOrg("webhooks-other");
    const hidden = await stack.api(`/api/v1/tenant/${tenant.envId}/webhooks`, { token: other.token });
    expect(hidden.status).toBe(404);
  });

  it("destroying the tenant delivers tenant.destroyed, and tenant.ready was delivered exactly once", async () => {
    const org = await orgWithSecret();
    const { tenant, delivered: ready } = await readyHookedTenant(org, "/hooks/destroyed");
    const del = await stack.api(`/api/v1/tenant/${tenant.envId}`, { method: "DELETE", token: org.token });
    expect(del.status).toBe(202);
    await waitForStatus(stack, org.token, tenant.envId, ["destroyed"]);
    const destroyed = await waitFor(async () => receivedFor(tenant.envId, "tenant.destroyed").find((r) => r.status === 200), {
      timeoutMs: 30_000,
      what: "a successful tenant.destroyed delivery",
    });
    const payload = new Webhook(org.secret).verify(destroyed.body, signatureHeaders(destroyed)) as any;
    expect(payload).toMatchObject({ type: "tenant.destroyed", data: { envId: tenant.envId, status: "destroyed", previousStatus: "destroying" } });

    // Once per webhook-id: each of the tenant's events was answered 2xx exactly once.
    for (const type of ["tenant.ready", "tenant.destroyed"]) {
      const successes = receivedFor(tenant.envId, type).filter((r) => r.status === 200);
      expect([type, successes.length, new Set(successes.map((r) => r.id)).size]).toEqual([type, 1, 1]);
    }
    expect(receivedFor(tenant.envId, "tenant.ready").find((r) => r.status === 200)?.id).toBe(ready.id);

    const log = await stack.api(`/api/v1/tenant/${tenant.envId}/webhooks`, { token: org.token });
    expect(log.body.events.map((e: { type: string }) => e.type)).toEqual(["tenant.destroyed", "tenant.ready"]);
  });

  it("a receiver that answers 410 Gone is not retried", async () => {
    const org = await orgWithSecret();
    const res = await spawnViaApi(stack, org.token, { name: "gone", webhookUrl: receiver.url("/gone/hook") });
    expect(res.status).toBe(202);
    const envId = res.body.tenant.envId;
    await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
    await waitForStatus(stack, org.token, envId, ["destroyed"]);
    const ev = await waitFor(
      async () => {
        const r = await stack.api(`/api/v1/tenant/${envId}/webhooks`, { token: org.token });
        const e = r.body?.events?.find((x: { type: string }) => x.type === "tenant.destroyed");
        return e?.status === "failed" ? e : null;
      },
      { timeoutMs: 30_000, what: "the tenant.destroyed event to be given up" },
    );
    expect(ev.attempts.map((a: { httpStatus: number }) => a.httpStatus)).toEqual([410]);
    // The job failed for good: nothing is scheduled to try again.
    expect(await (await stack.queues.find(jobs.webhookDelivery, { eventId: ev.id }))?.getState()).toBe("failed");
    expect(receiver.received.filter((r) => r.id === ev.id)).toHaveLength(1);
  });

  it("an event whose delivery job was lost (no NOTIFY reached a worker, no job in Redis) is still delivered", async () => {
    const org = await orgWithSecret();
    const spawned = await spawnViaApi(stack, org.token, { name: "lost-job" });
    const envId = spawned.body.tenant.envId as number;
    // As if the state change committed and Redis then lost the job: a pending row and nothing else.
    const id = `msg_lostjob${envId}`;
    await stack.db.insert(webhookEvents).values({
      id,
      orgId: org.id,
      envId,
      type: "tenant.destroyed",
      url: receiver.url("/hooks/lost"),
      payload: { type: "tenant.destroyed", timestamp: new Date().toISOString(), data: { envId } },
    });
    const delivered = await waitFor(async () => receiver.received.find((r) => r.id === id && r.status === 200), {
      timeoutMs: 30_000,
      what: "the sweep to deliver the orphaned event",
    });
    expect(() => new Webhook(org.secret).verify(delivered.body, signatureHeaders(delivered))).not.toThrow();
    await waitFor(async () => {
      const [row] = await stack.db.select().from(webhookEvents).where(eq(webhookEvents.id, id));
      return row?.status === "delivered";
    });
  });

  it("refuses webhook targets on loopback, private and link-local addresses unless the allow-list names them, and creates nothing", async () => {
    const strictOrg = await strict.newOrg("webhooks-strict-org");
    const count = async () => (await strict.db.execute<{ n: number }>(dsql`select count(*)::int as n from tenants where org_id = ${strictOrg.id}`))[0]!.n;
    const targets = [
      "http://127.0.0.1:9/x",
      "http://10.0.0.1/x",
      "http://169.254.169.254/",
      "http://[::ffff:127.0.0.1]:9/x",
      "http://[::1]:9/x",
      "http://localhost:9/x",
      "http://172.17.0.1:9/x",
      "http://100.64.0.1/x",
      "http://0.0.0.0:9/x",
    ];
    for (const webhookUrl of targets) {
      const r = await spawnViaApi(strict, strictOrg.token, { name: "ssrf", webhookUrl });
      expect([webhookUrl, r.status, r.body.error?.code]).toEqual([webhookUrl, 400, "VALIDATION_FAILED"]);
      expect(r.body.error.message).toMatch(/^webhookUrl host .* address/);
    }
    const creds = await spawnViaApi(strict, strictOrg.token, { name: "ssrf", webhookUrl: "http://user:pw@example.com/x" });
    expect(creds.status).toBe(400);
    expect(await count()).toBe(0);

    // On the stack whose allow-list names only the receiver's port, another loopback port is refused too.
    const org = await stack.newOrg("webhooks-ssrf");
    const other = await spawnViaApi(stack, org.token, { name: "ssrf", webhookUrl: "http://127.0.0.1:9/x" });
    expect(other.status).toBe(400);
    expect(await stack.db.select().from(tenants).where(eq(tenants.orgId, org.id))).toEqual([]);
  });

  it("no webhook secret or tenant key appears in the stack's logs", async () => {
    const org = await orgWithSecret();
    // A signed delivery (after three failed attempts) and a tenant running with its key.
    const { tenant } = await readyHookedTenant(org, "/hooks/logged");
    const files = readdirSync(logDir).filter((f) => /^webhooks(-strict)?-(api|worker-\d+)\.log$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = readFileSync(join(logDir, f), "utf8");
      expect(text.includes(org.secret.slice(6)), f).toBe(false);
      expect(text.includes(tenant.apiKey), f).toBe(false);
    }
  });
});
