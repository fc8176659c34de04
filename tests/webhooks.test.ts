/**
 * Webhooks over the real stack: a local receiver (127.0.0.1 only) that fails the first attempts,
 * Standard Webhooks signatures checked with the `standardwebhooks` package, the delivery log,
 * 410 Gone, the sweep that recovers events whose job was lost, and the SSRF checks on targets
 * (those URLs are only validated, never contacted).
 */
import { Queue } from "bullmq";
import { eq } from "drizzle-orm";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { sql as dsql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenants, webhookEvents } from "../shared/db/schema.js";
import { queueNames } from "../shared/jobs.js";
import { webhookEventTypeFor } from "../shared/webhooks/events.js";
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
  let org: { id: number; token: string };
  let secret: string;
  const created: number[] = [];

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
    org = await stack.newOrg("webhooks-org");
  });

  afterAll(async () => {
    for (const envId of created) {
      await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token }).catch(() => {});
    }
    for (const envId of created) await waitForStatus(stack, org.token, envId, ["destroyed"]).catch(() => {});
    await Promise.all([stack?.stop(), strict?.stop()]);
    await receiver?.close();
  });

  it("the signing secret is readable by its organisation from the start, created on first read; rotation replaces it", async () => {
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
    secret = rotated.body.secret;
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(first.body.secret);
    expect((await stack.api("/api/v1/webhooks/secret", { token: org.token })).body).toEqual({ success: true, secret, prefix: secret.slice(0, 12) });
  });

  let readyTenant: { envId: number; apiKey: string; port: number };
  let readyEventId: string;

  it("tenant.ready arrives on the 4th attempt after three 500s, once, with a valid Standard Webhooks signature, and every attempt is logged", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "hooked", webhookUrl: receiver.url("/hooks/ready") });
    expect(res.status).toBe(202);
    readyTenant = res.body.tenant;
    created.push(readyTenant.envId);
    expect(res.body.tenant.webhookUrl).toBe(receiver.url("/hooks/ready"));
    expect((await waitForStatus(stack, org.token, readyTenant.envId, ["ready", "failed"])).status).toBe("ready");

    const delivered = await waitFor(
      async () => receiver.received.find((r) => r.status === 200 && r.body.includes('"tenant.ready"') && r.path === "/hooks/ready"),
      { timeoutMs: 30_000, what: "a successful tenant.ready delivery" },
    );
    readyEventId = delivered.id;
    expect(readyEventId).toMatch(/^msg_/);

    // Three 500s, then one 200; every request signed with the organisation's secret.
    const forEvent = receiver.received.filter((r) => r.id === readyEventId);
    expect(forEvent.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    const wh = new Webhook(secret);
    for (const r of forEvent) {
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      const payload = wh.verify(r.body, signatureHeaders(r)) as any;
      expect(payload).toMatchObject({
        type: "tenant.ready",
        data: {
          envId: readyTenant.envId,
          tenantId: `tenant_${readyTenant.envId}`,
          orgId: org.id,
          name: "hooked",
          status: "ready",
          previousStatus: "starting",
          port: readyTenant.port,
        },
      });
      expect(new Date(payload.timestamp).getTime()).not.toBeNaN();
      expect(r.body).not.toContain(readyTenant.apiKey);
      expect(r.body).not.toMatch(/sk_tenant_|whsec_/);
    }
    // A tampered body or a different secret does not verify.
    expect(() => wh.verify(delivered.body.replace("hooked", "hacked"), signatureHeaders(delivered))).toThrow();
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString("base64")}`).verify(delivered.body, signatureHeaders(delivered))).toThrow();

    // The delivery log shows every attempt.
    const log = await waitFor(
      async () => {
        const r = await stack.api(`/api/v1/tenant/${readyTenant.envId}/webhooks`, { token: org.token });
        const ev = r.body?.events?.find((e: { id: string }) => e.id === readyEventId);
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
    const hidden = await stack.api(`/api/v1/tenant/${readyTenant.envId}/webhooks`, { token: other.token });
    expect(hidden.status).toBe(404);
  });

  it("destroying the tenant delivers tenant.destroyed, and tenant.ready was delivered exactly once", async () => {
    const del = await stack.api(`/api/v1/tenant/${readyTenant.envId}`, { method: "DELETE", token: org.token });
    expect(del.status).toBe(202);
    await waitForStatus(stack, org.token, readyTenant.envId, ["destroyed"]);
    const delivered = await waitFor(
      async () =>
        receiver.received.find((r) => {
          if (r.status !== 200) return false;
          const body = JSON.parse(r.body);
          return body.type === "tenant.destroyed" && body.data.envId === readyTenant.envId;
        }),
      { timeoutMs: 30_000, what: "a successful tenant.destroyed delivery" },
    );
    const payload = new Webhook(secret).verify(delivered.body, signatureHeaders(delivered)) as any;
    expect(payload).toMatchObject({ type: "tenant.destroyed", data: { envId: readyTenant.envId, status: "destroyed", previousStatus: "destroying" } });

    // Once per webhook-id: no id was ever answered 2xx twice, and tenant.ready still has one success.
    const successes = new Map<string, number>();
    for (const r of receiver.received) if (r.status === 200) successes.set(r.id, (successes.get(r.id) ?? 0) + 1);
    for (const [id, n] of successes) expect([id, n]).toEqual([id, 1]);
    expect(successes.get(readyEventId)).toBe(1);

    const log = await stack.api(`/api/v1/tenant/${readyTenant.envId}/webhooks`, { token: org.token });
    expect(log.body.events.map((e: { type: string }) => e.type)).toEqual(["tenant.destroyed", "tenant.ready"]);
  });

  it("a receiver that answers 410 Gone is not retried", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "gone", webhookUrl: receiver.url("/gone/hook") });
    expect(res.status).toBe(202);
    const envId = res.body.tenant.envId;
    created.push(envId);
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
    const queue = new Queue(queueNames.webhooks, { connection: stack.redis, prefix: stack.env.QUEUE_PREFIX });
    try {
      expect(await (await queue.getJob(ev.id))?.getState()).toBe("failed");
    } finally {
      await queue.close();
    }
    expect(receiver.received.filter((r) => r.id === ev.id)).toHaveLength(1);
  });

  it("an event whose delivery job was lost (no NOTIFY reached a worker, no job in Redis) is still delivered", async () => {
    // As if the state change committed and Redis then lost the job: a pending row and nothing else.
    const [t] = await stack.db.select().from(tenants).where(eq(tenants.envId, readyTenant.envId));
    const id = `msg_lostjob${Date.now()}`;
    await stack.db.insert(webhookEvents).values({
      id,
      orgId: org.id,
      envId: t!.envId,
      type: "tenant.destroyed",
      url: receiver.url("/hooks/lost"),
      payload: { type: "tenant.destroyed", timestamp: new Date().toISOString(), data: { envId: t!.envId } },
    });
    const delivered = await waitFor(async () => receiver.received.find((r) => r.id === id && r.status === 200), {
      timeoutMs: 30_000,
      what: "the sweep to deliver the orphaned event",
    });
    expect(() => new Webhook(secret).verify(delivered.body, signatureHeaders(delivered))).not.toThrow();
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
    const before = (await stack.db.select().from(tenants).where(eq(tenants.orgId, org.id))).length;
    const other = await spawnViaApi(stack, org.token, { name: "ssrf", webhookUrl: "http://127.0.0.1:9/x" });
    expect(other.status).toBe(400);
    expect((await stack.db.select().from(tenants).where(eq(tenants.orgId, org.id))).length).toBe(before);
  });

  it("no webhook secret or tenant key appears in the stack's logs", async () => {
    const files = readdirSync(logDir).filter((f) => /^webhooks(-strict)?-(api|worker-\d+)\.log$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = readFileSync(join(logDir, f), "utf8");
      expect(text.includes(secret.slice(6)), f).toBe(false);
      expect(text.includes(readyTenant.apiKey), f).toBe(false);
    }
  });
});
