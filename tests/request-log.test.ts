/**
 * What happens around every request (api/request-log.ts): a request id echoed in X-Request-Id,
 * and one log line per request carrying it, with who asked once authenticated. These are read
 * from the API process's own log, as an operator would.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../shared/config.js";
import { logDir, startStack, waitFor, type Stack } from "./helpers/stack.js";

let stack: Stack;
let org: { id: number; token: string };

beforeAll(async () => {
  stack = await startStack("request-log", {}, { workers: 0 });
  org = await stack.newOrg("request-log");
});
afterAll(async () => {
  await stack?.stop();
});

/** The API's JSON log lines so far. */
function apiLog(): Array<Record<string, unknown>> {
  return readFileSync(join(logDir, "request-log-api.log"), "utf8")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The request line for this request id, once the API has written it (lines are written in batches). */
const requestLine = (requestId: string) =>
  waitFor(async () => apiLog().find((l) => l.msg === "request" && l.requestId === requestId), { timeoutMs: 5_000, what: `the request line of ${requestId}` });

describe("request ids", () => {
  it("every answer carries a new request id, unique per request", async () => {
    const [a, b] = [await stack.api("/readyz"), await stack.api("/readyz")];
    const ids = [a.headers.get("x-request-id"), b.headers.get("x-request-id")];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it("a caller's own sane X-Request-Id is kept, on errors too; an unsafe or oversized one is replaced", async () => {
    const kept = await stack.api("/api/v1/tenant/999999/status", { token: org.token, headers: { "X-Request-Id": "trace-abc_123=" } });
    expect(kept.status).toBe(404);
    expect(kept.headers.get("x-request-id")).toBe("trace-abc_123=");
    for (const bad of ["has space", "semi;colon", "x".repeat(256)]) {
      const res = await stack.api("/readyz", { headers: { "X-Request-Id": bad } });
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe("the request log", () => {
  it("logs each request once with its id, method, path, status and duration", async () => {
    const res = await stack.api("/readyz", { headers: { "X-Request-Id": "readyz-line-1" } });
    expect(res.status).toBe(200);
    const line = await requestLine("readyz-line-1");
    expect(line).toMatchObject({ level: 30, name: "api", method: "GET", path: "/readyz", status: 200 });
    expect(typeof line.ms).toBe("number");
    expect(apiLog().filter((l) => l.requestId === "readyz-line-1")).toHaveLength(1);
  });

  it("leaves out the liveness probe: /healthz is answered before all of it, with no id and no line", async () => {
    const res = await stack.api("/healthz", { headers: { "X-Request-Id": "healthz-line-1" } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, status: "ok" });
    expect(res.headers.get("x-request-id")).toBeNull();
    const head = await fetch(`${stack.url}/healthz`, { method: "HEAD" });
    expect([head.status, head.headers.get("x-request-id")]).toEqual([200, null]);
    expect((await stack.api("/healthz?probe=1")).body).toEqual({ success: true, status: "ok" }); // through the app's own route
    // A request made after it is logged; by then the probe's line would have been too.
    await stack.api("/readyz", { headers: { "X-Request-Id": "after-healthz-1" } });
    await requestLine("after-healthz-1");
    expect(apiLog().filter((l) => typeof l.path === "string" && l.path.startsWith("/healthz"))).toEqual([]);
  });

  it("names who asked once authenticated: the organisation and the credential", async () => {
    await stack.api("/api/v1/tenant?limit=1", { token: org.token, headers: { "X-Request-Id": "list-line-1" } });
    expect(await requestLine("list-line-1")).toMatchObject({ orgId: org.id, credential: "organisation-token", status: 200 });
    const minted = await stack.api("/api/v1/auth/token", { token: org.token, body: { scopes: ["tenants:read"] } });
    await stack.api("/api/v1/tenant?limit=1", { token: minted.body.token, headers: { "X-Request-Id": "list-line-2" } });
    expect(await requestLine("list-line-2")).toMatchObject({ orgId: org.id, credential: "access-token", status: 200 });
  });

  it("a refused request is logged with its status, and a line a handler writes carries the request id", async () => {
    await stack.api("/api/v1/tenant?limit=1", { token: "cvg_org_not-a-real-token-at-all-000000", headers: { "X-Request-Id": "refused-1" } });
    const refused = await requestLine("refused-1");
    expect(refused).toMatchObject({ status: 401, path: "/api/v1/tenant" });
    expect(refused.orgId).toBeUndefined();

    const minted = await stack.api("/api/v1/auth/token", { token: org.token, body: {}, headers: { "X-Request-Id": "issued-1" } });
    expect(minted.status).toBe(200);
    const issued = await waitFor(async () => apiLog().find((l) => l.msg === "access token issued" && l.requestId === "issued-1"), {
      timeoutMs: 5_000,
      what: "the handler's own line",
    });
    expect(issued).toMatchObject({ orgId: org.id, credential: "organisation-token" });
  });

  it("a secret pasted into a path is masked in the request line, like in every other line", async () => {
    const key = "sk_tenant_" + "a".repeat(40);
    const jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    await stack.api(`/api/v1/tenant/${key}/status?t=${jwt}`, { token: org.token, headers: { "X-Request-Id": "secret-path-1" } });
    const line = await requestLine("secret-path-1");
    expect(line.path).toMatch(/^\/api\/v1\/tenant\/sk_tenant_\[REDACTED\]/);
    const raw = readFileSync(join(logDir, "request-log-api.log"), "utf8");
    expect(raw).not.toContain(key);
    expect(raw).not.toContain(jwt);
  });

  it("a request line batched in the turn that calls process.exit is still written", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", "tests/fixtures/log-then-exit.ts"], { cwd: projectRoot, encoding: "utf8" });
    expect(out).toContain('"requestId":"exit-1"');
  });
});
