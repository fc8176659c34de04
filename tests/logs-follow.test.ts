/**
 * Live logs over server-sent events (GET /api/v1/tenant/:id/logs?follow=true) against the real
 * stack: real tenants print lines on demand (tests/helpers/tenant-print.ts), a worker follows
 * their containers and publishes through Redis, the API streams. Covers the tail then live lines,
 * masked secrets, heartbeats, `end` on destroy, resuming with Last-Event-ID (also after the
 * follower stopped because nobody followed), a container re-created by a key rotation, a worker
 * restart, the per-organisation cap across API processes, and another organisation's tenant.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logKeys } from "../shared/logs/channel.js";
import { openSse, type SseReader } from "./helpers/sse.js";
import { spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";
import { printInTenant } from "./helpers/tenant-print.js";

let stack: Stack;
const LEASE_MS = 3000;

beforeAll(async () => {
  stack = await startStack("logs-follow", {
    LOGS_FOLLOW_MAX_PER_ORG: "2",
    LOGS_FOLLOW_LEASE_MS: String(LEASE_MS),
    SSE_HEARTBEAT_MS: "500",
  });
});

afterAll(async () => {
  await stack?.stop();
});

async function readyTenant(token: string, name: string): Promise<number> {
  const res = await spawnViaApi(stack, token, { name });
  expect(res.status).toBe(202);
  const tenant = await waitForStatus(stack, token, res.body.tenant.envId, ["ready", "failed"]);
  expect(tenant.status).toBe("ready");
  return tenant.envId as number;
}

const follow = (envId: number, token: string, query = "", headers: Record<string, string> = {}) => openSse(`${stack.url}/api/v1/tenant/${envId}/logs?follow=true${query}`, { token, headers });

const lines = (r: SseReader) => r.messages.filter((m) => m.event === "line").map((m) => ({ id: m.id!, ...(JSON.parse(m.data) as { at: string; line: string }) }));
const texts = (r: SseReader) => lines(r).map((l) => l.line);
const has = (text: string) => (r: SseReader) => texts(r).some((l) => l.includes(text));
const tag = () => randomBytes(4).toString("hex");

/** Docker's stamp as nanoseconds since the epoch: what the line's id must be. */
function nanos(at: string): bigint {
  const [, base, frac = "", zone] = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(at)!;
  return BigInt(Date.parse(`${base}${zone}`) / 1000) * 1_000_000_000n + BigInt(frac.padEnd(9, "0"));
}

describe("following a tenant's logs", () => {
  it("sends the tail, then each line as the tenant prints it (secrets masked), heartbeats while idle, and `end` once the tenant is destroyed", async () => {
    const org = await stack.newOrg("follow-basic");
    const envId = await readyTenant(org.token, "followed");
    const stream = await follow(envId, org.token, "&tail=5");
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      await stream.until(has("listening on 3000"), 15_000, "the tail with the start-up line");

      const live = `live line ${tag()}`;
      await printInTenant(stack, envId, live, "the key is $CONVERGENCE_API_KEY");
      await stream.until(has("the key is"), 15_000, "the lines printed after the follow opened");
      expect(texts(stream)).toContain(live);
      expect(texts(stream)).toContain("the key is sk_tenant_[REDACTED]");
      expect(JSON.stringify(stream.messages)).not.toMatch(/sk_tenant_(?!\[REDACTED\])/);

      await stream.until((r) => r.comments.includes("heartbeat"), 5_000, "a heartbeat while idle");
      const received = lines(stream);
      for (const l of received) expect(BigInt(l.id)).toBe(nanos(l.at));
      for (let i = 1; i < received.length; i++) expect(BigInt(received[i]!.id)).toBeGreaterThan(BigInt(received[i - 1]!.id));

      const del = await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
      expect(del.status).toBe(202);
      await stream.until((r) => r.messages.some((m) => m.event === "end"), 30_000, "`end` after the tenant is destroyed");
      await stream.ended; // the server closed the stream
      expect(stream.messages.at(-1)?.event).toBe("end");

      // A follow of a destroyed tenant ends at once.
      const late = await follow(envId, org.token);
      await late.ended;
      expect(late.messages.map((m) => m.event)).toEqual(["end"]);
    } finally {
      stream.abort();
    }
  });

  it("a client that comes back with Last-Event-ID gets exactly the lines it missed, also those printed while nobody followed", async () => {
    const org = await stack.newOrg("follow-resume");
    const envId = await readyTenant(org.token, "resumed");
    const first = await follow(envId, org.token);
    await first.until(has("listening on 3000"), 15_000, "the tail");
    const lastId = lines(first).at(-1)!.id;
    first.abort();

    // Nobody follows any more: the worker stops following the container once the lease lapses.
    const follower = logKeys(stack.config.QUEUE_PREFIX, envId).follower;
    await waitFor(async () => (await stack.redis.exists(follower)) === 0, { timeoutMs: 4 * LEASE_MS, what: "the follower to stop" });

    const missed = [`missed 1 ${tag()}`, `missed 2 ${tag()}`, `missed 3 ${tag()}`];
    await printInTenant(stack, envId, ...missed);
    const again = await follow(envId, org.token, "", { "last-event-id": lastId });
    try {
      expect(again.status).toBe(200);
      await again.until(has(missed[2]!), 15_000, "the missed lines");
      const after = `after the reconnect ${tag()}`;
      await printInTenant(stack, envId, after);
      await again.until(has(after), 15_000, "a line printed after the reconnect");
      expect(texts(again)).toEqual([...missed, after]);
    } finally {
      again.abort();
    }
  });

  it("goes on with the new container's lines when a key rotation re-creates the container", async () => {
    const org = await stack.newOrg("follow-rotate");
    const envId = await readyTenant(org.token, "rotated");
    const stream = await follow(envId, org.token, "&tail=0");
    try {
      await stream.until((r) => r.comments.includes("heartbeat"), 10_000, "the stream to be open");
      expect(lines(stream)).toEqual([]); // tail=0: only new lines
      const rotated = await stack.api(`/api/v1/tenant/${envId}/rotate-key`, { method: "POST", token: org.token });
      expect(rotated.status).toBe(202);
      await stream.until(has("listening on 3000"), 60_000, "the new container's start-up line");
      await waitForStatus(stack, org.token, envId, ["ready"]);
      const fresh = `from the new container ${tag()}`;
      await printInTenant(stack, envId, fresh);
      await stream.until(has(fresh), 15_000, "a line printed in the new container");
      const ids = lines(stream).map((l) => l.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(texts(stream).filter((l) => l.includes("listening on 3000"))).toHaveLength(1);
    } finally {
      stream.abort();
    }
  });

  it("carries on without losing a line when the worker following the container is restarted", async () => {
    const org = await stack.newOrg("follow-worker");
    const envId = await readyTenant(org.token, "worked");
    const stream = await follow(envId, org.token, "&tail=1");
    try {
      await stream.until((r) => lines(r).length === 1, 15_000, "the tail");
      const [worker] = stack.workers.filter((w) => w.exitCode === null);
      await stack.stopWorkers(); // the follow job is told to stop: the worker exits cleanly, at once
      expect(worker!.exitCode).toBe(0);
      const whileAway = `printed with no worker ${tag()}`;
      await printInTenant(stack, envId, whileAway);
      stack.startWorker();
      await stream.until(has(whileAway), 30_000, "the line printed while no worker ran");
      const later = `printed after ${tag()}`;
      await printInTenant(stack, envId, later);
      await stream.until(has(later), 15_000, "a later line");
      expect(texts(stream).slice(1)).toEqual([whileAway, later]);
    } finally {
      stream.abort();
    }
  });
});

describe("what a follow is refused", () => {
  it("an organisation over its cap gets 429 with Retry-After, counted across API processes; a slot frees when its client leaves or its API process dies", async () => {
    const org = await stack.newOrg("follow-cap");
    const envId = await readyTenant(org.token, "capped");
    const extra = await stack.startExtraApi();
    const opened: SseReader[] = [];
    try {
      opened.push(await follow(envId, org.token));
      const viaExtra = await openSse(`${extra.url}/api/v1/tenant/${envId}/logs?follow=true`, { token: org.token });
      viaExtra.ended.catch(() => {}); // its process is killed below: the stream breaks
      opened.push(viaExtra);
      expect(opened.map((s) => s.status)).toEqual([200, 200]);

      const refused = await stack.api(`/api/v1/tenant/${envId}/logs?follow=true`, { token: org.token });
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ success: false, error: { code: "CONCURRENCY_LIMIT_REACHED", details: { limit: "maxLogFollows", max: 2 } } });
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      // Reading logs without following is not counted.
      expect((await stack.api(`/api/v1/tenant/${envId}/logs?tail=1`, { token: org.token })).status).toBe(200);

      // A client that leaves frees its slot.
      opened.shift()!.abort();
      const third = await waitFor(
        async () => {
          const s = await follow(envId, org.token);
          if (s.status === 200) return s;
          s.abort();
          return null;
        },
        { timeoutMs: 10_000, intervalMs: 200, what: "a slot freed by the client that left" },
      );
      opened.push(third);
      expect((await stack.api(`/api/v1/tenant/${envId}/logs?follow=true`, { token: org.token })).status).toBe(429);

      // An API process killed outright cannot release its slot: the lease lapses instead.
      extra.proc.kill("SIGKILL");
      const fourth = await waitFor(
        async () => {
          const s = await follow(envId, org.token);
          if (s.status === 200) return s;
          s.abort();
          return null;
        },
        { timeoutMs: 4 * LEASE_MS, intervalMs: 250, what: "the dead process's slot to lapse" },
      );
      opened.push(fourth);
    } finally {
      for (const s of opened) s.abort();
      extra.proc.kill("SIGKILL");
    }
  });

  it("another organisation's tenant is a 404, a bad Last-Event-ID or follow value a 400, as JSON", async () => {
    const owner = await stack.newOrg("follow-owner");
    const stranger = await stack.newOrg("follow-stranger");
    const envId = await readyTenant(owner.token, "private");
    const theirs = await stack.api(`/api/v1/tenant/${envId}/logs?follow=true`, { token: stranger.token });
    expect(theirs.status).toBe(404);
    expect(theirs.headers.get("content-type")).toMatch(/^application\/json/);
    expect(theirs.body).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
    const badId = await stack.api(`/api/v1/tenant/${envId}/logs?follow=true`, { token: owner.token, headers: { "last-event-id": "yesterday" } });
    expect(badId.status).toBe(400);
    expect(badId.body.error.code).toBe("VALIDATION_FAILED");
    expect((await stack.api(`/api/v1/tenant/${envId}/logs?follow=yes`, { token: owner.token })).status).toBe(400);
  });
});
