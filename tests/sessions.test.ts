/**
 * The dashboard's server side, against the real stack (no browser: tests/dashboard.test.ts drives
 * one): sessions in cookies (sign-in, CSRF on writes, renewal up to a maximum age, sign-out and
 * token rotation ending them), the organisation event stream, the templates list, and how /app is
 * served (Content-Security-Policy, caching).
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantEvents } from "../shared/db/schema.js";
import { recordTenantEvent } from "../shared/tenants/event-log.js";
import { openSse } from "./helpers/sse.js";
import { spawnViaApi, startStack, waitFor, type Stack } from "./helpers/stack.js";

// Short sessions, so that expiry at the maximum age is seen within a test.
const SESSION_TTL_SECONDS = 10;
const SESSION_MAX_AGE_SECONDS = 12;

let stack: Stack;
let orgA: { id: number; token: string };
let orgB: { id: number; token: string };

beforeAll(async () => {
  // No worker: spawned tenants stay pending (no containers); their pending and destroying
  // transitions are the API's own, which is all the event-stream tests need.
  stack = await startStack("sessions", { SESSION_TTL_SECONDS: String(SESSION_TTL_SECONDS), SESSION_MAX_AGE_SECONDS: String(SESSION_MAX_AGE_SECONDS) }, { workers: 0 });
  orgA = await stack.newOrg("sessions-a");
  orgB = await stack.newOrg("sessions-b");
});

afterAll(async () => {
  await stack?.stop();
});

interface Session {
  cookie: string;
  csrf: string;
  setCookies: string[];
  body: any;
}

async function signIn(token: string): Promise<Session> {
  const res = await fetch(`${stack.url}/api/v1/auth/session`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return sessionFrom(res, body);
}

function sessionFrom(res: Response, body: any): Session {
  const setCookies = res.headers.getSetCookie();
  const value = (name: string) =>
    setCookies
      .find((c) => c.startsWith(`${name}=`))
      ?.split(";")[0]
      ?.slice(name.length + 1) ?? "";
  return { cookie: `cvg_session=${value("cvg_session")}; cvg_csrf=${value("cvg_csrf")}`, csrf: value("cvg_csrf"), setCookies, body };
}

async function withCookie(path: string, session: Pick<Session, "cookie">, init: { method?: string; csrf?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { cookie: session.cookie, ...init.headers };
  if (init.csrf !== undefined) headers["x-csrf-token"] = init.csrf;
  const res = await fetch(stack.url + path, { method: init.method ?? "GET", headers });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, res };
}

describe("dashboard sessions", () => {
  it("sign-in sets the access token in an httpOnly SameSite=Strict cookie (never in the body) and a readable CSRF cookie; the cookie authenticates reads", async () => {
    const s = await signIn(orgA.token);
    const session = s.setCookies.find((c) => c.startsWith("cvg_session="))!;
    const csrf = s.setCookies.find((c) => c.startsWith("cvg_csrf="))!;
    expect(session).toMatch(/; HttpOnly/i);
    expect(session).toMatch(/; SameSite=Strict/i);
    expect(session).toMatch(/; Path=\/api\//);
    expect(session).toMatch(new RegExp(`; Max-Age=(${SESSION_TTL_SECONDS}|${SESSION_TTL_SECONDS - 1})(;|$)`));
    expect(csrf).not.toMatch(/HttpOnly/i);
    expect(csrf).toMatch(/; SameSite=Strict/i);
    expect(csrf).toMatch(/; Path=\/(;|$)/);
    expect(JSON.stringify(s.body)).not.toContain(s.cookie.split(";")[0]!.slice("cvg_session=".length));
    expect(s.body.session).toMatchObject({ orgId: orgA.id, scopes: ["tenants:read", "tenants:write", "usage:read"], csrfToken: s.csrf });

    const list = await withCookie("/api/v1/tenant", s);
    expect(list.status).toBe(200);
    const me = await withCookie("/api/v1/auth/session", s);
    expect(me.body.session).toMatchObject({ orgId: orgA.id, csrfToken: s.csrf });
  });

  it("a wrong organisation token does not sign in, and an access token cannot sign in", async () => {
    const wrong = await fetch(`${stack.url}/api/v1/auth/session`, { method: "POST", headers: { authorization: "Bearer cvg_org_not-a-real-token-0000000000000" } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.getSetCookie()).toEqual([]);
    const jwt = (await stack.api("/api/v1/auth/token", { token: orgA.token, body: {} })).body.token as string;
    const res = await stack.api("/api/v1/auth/session", { method: "POST", token: jwt });
    expect(res.status).toBe(403);
  });

  it("a cookie-authenticated write needs the session's CSRF token: without it or with another session's, it is refused and changes nothing", async () => {
    const s = await signIn(orgA.token);
    const other = await signIn(orgA.token);
    const before = (await stack.api("/api/v1/webhooks/secret", { token: orgA.token })).body.secret;
    for (const csrf of [undefined, "", other.csrf, `${s.csrf}x`]) {
      const res = await withCookie("/api/v1/webhooks/secret/rotate", s, { method: "POST", csrf });
      expect(res.status, `CSRF ${JSON.stringify(csrf)}`).toBe(403);
      expect(res.body.error.code).toBe("CSRF_FAILED");
    }
    expect((await stack.api("/api/v1/webhooks/secret", { token: orgA.token })).body.secret).toBe(before);
    const ok = await withCookie("/api/v1/webhooks/secret/rotate", s, { method: "POST", csrf: s.csrf });
    expect(ok.status).toBe(200);
    expect(ok.body.secret).not.toBe(before);
  });

  it("only a session's token is taken from the cookie, and an Authorization header wins over it", async () => {
    const orgToken = await withCookie("/api/v1/tenant", { cookie: `cvg_session=${orgA.token}` });
    expect(orgToken.status).toBe(401);
    const jwt = (await stack.api("/api/v1/auth/token", { token: orgA.token, body: {} })).body.token as string;
    const plainJwt = await withCookie("/api/v1/tenant", { cookie: `cvg_session=${jwt}` });
    expect(plainJwt.status).toBe(401);
    expect(plainJwt.body.error.message).toMatch(/not hold a dashboard session/);

    // With A's cookie and B's token in the header, the request is B's, and needs no CSRF token: the cookie is not used.
    const a = await signIn(orgA.token);
    const asB = await withCookie("/api/v1/webhooks/secret/rotate", a, { method: "POST", headers: { authorization: `Bearer ${orgB.token}` } });
    expect(asB.status).toBe(200);
    expect((await stack.api("/api/v1/webhooks/secret", { token: orgB.token })).body.secret).toBe(asB.body.secret);
  });

  it("renewal gives the same session a new token, needs the CSRF token, and never goes past the maximum age; then the session is over", async () => {
    const s = await signIn(orgA.token);
    const maxExpiresAt = Date.parse(s.body.session.maxExpiresAt);
    expect(maxExpiresAt - Date.parse(s.body.session.expiresAt)).toBeLessThanOrEqual((SESSION_MAX_AGE_SECONDS - SESSION_TTL_SECONDS) * 1000);
    expect((await withCookie("/api/v1/auth/session/refresh", s, { method: "POST" })).status).toBe(403);
    const renewed = await withCookie("/api/v1/auth/session/refresh", s, { method: "POST", csrf: s.csrf });
    expect(renewed.status).toBe(200);
    const next = sessionFrom(renewed.res, renewed.body);
    expect(next.cookie).not.toBe(s.cookie);
    expect(next.csrf).toBe(s.csrf); // bound to the session, not to its token
    expect(Date.parse(renewed.body.session.expiresAt)).toBeLessThanOrEqual(maxExpiresAt);
    expect((await withCookie("/api/v1/tenant", next)).status).toBe(200);
    // Past the maximum age neither token works, and renewal is refused.
    await waitFor(async () => Date.now() > maxExpiresAt + 1000, { timeoutMs: (SESSION_MAX_AGE_SECONDS + 5) * 1000, what: "the maximum age" });
    const late = await withCookie("/api/v1/auth/session/refresh", next, { method: "POST", csrf: next.csrf });
    expect(late.status).toBe(401);
    expect(late.body.error.message).toMatch(/expired/);
  });

  it("signing out clears the cookies and ends the session everywhere: a copy of the old cookie is refused", async () => {
    const s = await signIn(orgA.token);
    expect((await withCookie("/api/v1/auth/session", s, { method: "DELETE" })).status).toBe(403); // CSRF
    const out = await withCookie("/api/v1/auth/session", s, { method: "DELETE", csrf: s.csrf });
    expect(out.status).toBe(200);
    const cleared = out.res.headers.getSetCookie();
    expect(cleared.find((c) => c.startsWith("cvg_session="))).toMatch(/Max-Age=0/);
    expect(cleared.find((c) => c.startsWith("cvg_csrf="))).toMatch(/Max-Age=0/);
    const after = await withCookie("/api/v1/tenant", s);
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/signed out/);
    expect((await withCookie("/api/v1/auth/session/refresh", s, { method: "POST", csrf: s.csrf })).status).toBe(401);
  });

  it("rotating the organisation token ends the organisation's sessions", async () => {
    const org = await stack.newOrg("sessions-rotate");
    const s = await signIn(org.token);
    expect((await withCookie("/api/v1/tenant", s)).status).toBe(200);
    const rotated = await stack.api("/api/v1/auth/organisation-token/rotate", { method: "POST", token: org.token });
    expect(rotated.status).toBe(200);
    const after = await withCookie("/api/v1/tenant", s);
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/revoked/);
  });
});

describe("the organisation event stream", () => {
  it("carries every transition of the organisation's tenants, live, and none of another organisation's; Last-Event-ID replays what was missed", async () => {
    const a = await openSse(`${stack.url}/api/v1/events`, { token: orgA.token });
    const b = await openSse(`${stack.url}/api/v1/events`, { token: orgB.token });
    try {
      expect(a.status).toBe(200);
      expect(a.contentType).toMatch(/text\/event-stream/);
      await a.until((r) => r.messages.some((m) => m.event === "sync"), 5_000, "A's sync");
      await b.until((r) => r.messages.some((m) => m.event === "sync"), 5_000, "B's sync");
      const syncId = Number(a.messages.find((m) => m.event === "sync")!.id);

      const spawned = await spawnViaApi(stack, orgA.token, { name: "streamed" });
      expect(spawned.status).toBe(202);
      const envId = spawned.body.tenant.envId as number;
      expect((await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: orgA.token })).status).toBe(202);
      await a.until((r) => r.messages.filter((m) => m.event === "status").length >= 2, 10_000, "A's two transitions");
      const events = a.messages.filter((m) => m.event === "status").map((m) => ({ id: Number(m.id), ...JSON.parse(m.data) }));
      expect(events.map((e) => [e.envId, e.from, e.to])).toEqual([
        [envId, null, "pending"],
        [envId, "pending", "destroying"],
      ]);
      expect(events[0]).toMatchObject({ tenantId: `tenant_${envId}`, name: "streamed", tenant: { envId, name: "streamed" } });
      expect(events[0]!.id).toBeGreaterThan(syncId);
      expect(events[1]!.id).toBeGreaterThan(events[0]!.id);
      expect(b.messages.filter((m) => m.event === "status")).toEqual([]);

      const resumed = await openSse(`${stack.url}/api/v1/events`, { token: orgA.token, headers: { "last-event-id": String(syncId) } });
      try {
        await resumed.until((r) => r.messages.some((m) => m.event === "sync"), 5_000, "the resumed stream's sync");
        const replayed = resumed.messages.filter((m) => m.event === "status").map((m) => Number(m.id));
        expect(replayed).toEqual(events.map((e) => e.id));
        expect(Number(resumed.messages.at(-1)!.id)).toBe(events[1]!.id);
      } finally {
        resumed.abort();
      }
    } finally {
      a.abort();
      b.abort();
    }
  });

  it("event ids follow commit order within an organisation: a second event waits for the first one's transaction to commit", async () => {
    const org = await stack.newOrg("sessions-order");
    const first = (await spawnViaApi(stack, org.token, { name: "first" })).body.tenant.envId as number;
    const second = (await spawnViaApi(stack, org.token, { name: "second" })).body.tenant.envId as number;
    const event = (envId: number) => ({ envId, orgId: org.id, fromStatus: "pending" as const, toStatus: "failed" as const, reason: "ordering test", actor: "test" });
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((r) => (releaseFirst = r));
    let firstRecorded!: () => void;
    const firstIn = new Promise<void>((r) => (firstRecorded = r));
    const a = stack.db.transaction(async (tx) => {
      await recordTenantEvent(tx, event(first));
      firstRecorded();
      await firstHeld; // not committed yet
    });
    await firstIn;
    let secondDone = false;
    const b = stack.db.transaction((tx) => recordTenantEvent(tx, event(second))).then(() => (secondDone = true));
    // The second transaction waits on the organisation's lock (not merely slow): Postgres says so.
    await waitFor(
      async () => {
        const rows =
          await stack.sql`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and wait_event = 'advisory' and query like '%pg_advisory_xact_lock%'`;
        return rows.length > 0;
      },
      { timeoutMs: 10_000, what: "the second event to wait for the first one's commit" },
    );
    expect(secondDone).toBe(false);
    releaseFirst();
    await Promise.all([a, b]);
    const rows = await stack.db.select().from(tenantEvents).where(eq(tenantEvents.reason, "ordering test")).orderBy(tenantEvents.id);
    expect(rows.map((r) => r.envId)).toEqual([first, second]);
  });

  it("a stream opened with an access token ends when the token expires", async () => {
    const jwt = (await stack.api("/api/v1/auth/token", { token: orgA.token, body: { ttlSeconds: 2, scopes: ["tenants:read"] } })).body.token as string;
    const stream = await openSse(`${stack.url}/api/v1/events`, { token: jwt });
    expect(stream.status).toBe(200);
    let ended = false;
    void stream.ended.then(() => (ended = true));
    await waitFor(async () => ended, { timeoutMs: 10_000, what: "the stream to end at the token's expiry" });
  });
});

describe("templates", () => {
  it("lists the templates a tenant can be spawned from, with what spawn takes", async () => {
    const res = await stack.api("/api/v1/templates", { token: orgA.token });
    expect(res.status).toBe(200);
    expect(res.body.templates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: "node/express", language: "node", framework: "express", description: expect.stringMatching(/Express/) }),
        expect.objectContaining({ id: "node/hono", language: "node", framework: "hono" }),
      ]),
    );
    const usageOnly = (await stack.api("/api/v1/auth/token", { token: orgA.token, body: { scopes: ["usage:read"] } })).body.token as string;
    expect((await stack.api("/api/v1/templates", { token: usageOnly })).status).toBe(403);
    expect((await stack.api("/api/v1/templates")).status).toBe(401);
  });
});

describe("serving /app", () => {
  it("answers every page of the app with index.html under a strict CSP, revalidated; hashed assets are immutable; nothing else", async () => {
    const page = await fetch(`${stack.url}/app/tenants/42`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const csp = page.headers.get("content-security-policy")!;
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/<style|style="/);
    expect(html).not.toMatch(/https?:\/\//); // nothing from elsewhere

    const again = await fetch(`${stack.url}/app/`, { headers: { "if-none-match": page.headers.get("etag")! } });
    expect(again.status).toBe(304);

    const assets = [...html.matchAll(/(?:src|href)="(\/app\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith(".js"))).toBe(true);
    expect(assets.some((a) => a.endsWith(".css"))).toBe(true);
    for (const asset of assets) {
      const res = await fetch(stack.url + asset, { headers: { "accept-encoding": "gzip" } });
      expect(res.status, asset).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      const body = await res.text();
      expect(body, `${asset} loads nothing from elsewhere`).not.toMatch(/(?:src|href|url)\s*[=(]\s*["']?https?:\/\/(?!www\.w3\.org)/);
    }
    expect((await fetch(`${stack.url}/app/assets/missing-0000.js`)).status).toBe(404);
    const bare = await fetch(`${stack.url}/app`, { redirect: "manual" });
    expect(bare.status).toBe(301);
    expect(bare.headers.get("location")).toBe("/app/");
  });

  it("is served on the public port only: the operations listener answers 404 to every part of it", async () => {
    const html = await (await fetch(`${stack.url}/app/`)).text();
    const asset = html.match(/src="(\/app\/assets\/[^"]+\.js)"/)![1]!;
    for (const path of ["/app", "/app/", "/app/tenants/1", asset, "/api/v1/auth/session"]) {
      expect((await fetch(`${stack.opsUrl}${path}`, { redirect: "manual" })).status, path).toBe(404);
    }
    expect((await fetch(`${stack.opsUrl}/metrics`)).status).toBe(200); // the listener is up
  });
});
