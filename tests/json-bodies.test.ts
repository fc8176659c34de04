/**
 * Only JSON is accepted where JSON is expected: every operation whose OpenAPI request body is
 * JSON (as the served document lists them, so a route added later is covered too) answers a body
 * of another type, or one without a Content-Type, with 415 UNSUPPORTED_MEDIA_TYPE and does
 * nothing; a JSON body (with or without a charset) and a call without a body work as before.
 */
import http from "node:http";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organisations, tenants } from "../shared/db/schema.js";
import { spawnViaApi, startStack, waitForStatus, type Stack } from "./helpers/stack.js";

const ADMIN_TOKEN = "cvg_org_json-bodies-admin-0123456789abcdef";

let stack: Stack;
let org: { id: number; token: string };
let tenant: { envId: number; apiKey: string };
/** Every operation with a JSON request body: method and path, from /openapi.json. */
let jsonOperations: Array<{ method: string; path: string }>;

beforeAll(async () => {
  // No worker: a tenant stays pending (no container), which is all these tests need.
  stack = await startStack("json-bodies", { CONVERGENCE_ADMIN_TOKEN: ADMIN_TOKEN }, { workers: 0 });
  org = await stack.newOrg("json-bodies");
  const spawned = await spawnViaApi(stack, org.token, { name: "json-bodies" });
  expect(spawned.status, JSON.stringify(spawned.body)).toBe(202);
  tenant = { envId: spawned.body.tenant.envId, apiKey: spawned.body.tenant.apiKey };
  const doc = (await stack.api("/openapi.json")).body as { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>> };
  jsonOperations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => Object.keys(op.requestBody?.content ?? {}).some((type) => /json/.test(type)))
      // A path's {id} is the organisation's (operator routes under /orgs) or the tenant's.
      .map(([method]) => ({ method: method.toUpperCase(), path: path.replace("{id}", String(path.startsWith("/api/v1/orgs/") ? org.id : tenant.envId)) })),
  );
});

afterAll(async () => {
  if (stack && tenant) {
    await stack.api(`/api/v1/tenant/${tenant.envId}`, { method: "DELETE", token: org.token });
    stack.startWorker();
    await waitForStatus(stack, org.token, tenant.envId, ["destroyed"], 30_000).catch(() => {});
  }
  await stack?.stop();
});

/** The credential each operation takes. */
const credentialFor = (path: string) => (path === "/api/v1/converge" ? tenant.apiKey : path === "/api/v1/orgs" || path.startsWith("/api/v1/orgs/") ? ADMIN_TOKEN : org.token);

/** One request with exactly these headers (fetch would add a Content-Type of its own to a string body). */
function send(method: string, path: string, token: string, body: string | undefined, contentType: string | undefined) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (contentType !== undefined) headers["content-type"] = contentType;
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    const req = http.request(`${stack.url}${path}`, { method, headers }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const spawnBody = (name: string) => JSON.stringify({ name, language: "node", framework: "express" });
const tenantCount = async () => (await stack.db.select({ n: count() }).from(tenants).where(eq(tenants.orgId, org.id)))[0]!.n;

describe("request bodies are JSON", () => {
  it("the walk covers spawn, access tokens, organisations and convergence calls", () => {
    const names = jsonOperations.map((o) => `${o.method} ${o.path}`);
    for (const op of ["POST /api/v1/tenant/spawn", "POST /api/v1/auth/token", "POST /api/v1/orgs", "POST /api/v1/converge"]) expect(names).toContain(op);
  });

  it("a JSON operation answers a body of another type, or without a Content-Type, with 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const body = spawnBody("not-json");
    for (const { method, path } of jsonOperations) {
      for (const type of [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "application/jsonp",
        "json",
        undefined,
      ]) {
        const res = await send(method, path, credentialFor(path), body, type);
        const what = `${method} ${path} as ${type ?? "no Content-Type"}: ${JSON.stringify(res.body)}`;
        expect(res.status, what).toBe(415);
        expect(res.body, what).toEqual({
          success: false,
          error: { code: "UNSUPPORTED_MEDIA_TYPE", message: expect.stringMatching(/must be JSON, sent with Content-Type: application\/json/) },
        });
      }
    }
  });

  it("a spawn sent as text/plain creates no tenant; the same spawn as JSON does", async () => {
    const before = await tenantCount();
    const plain = await send("POST", "/api/v1/tenant/spawn", org.token, spawnBody("plain-text"), "text/plain");
    expect(plain.status).toBe(415);
    const orgsBefore = (await stack.db.select({ n: count() }).from(organisations))[0]!.n;
    expect((await send("POST", "/api/v1/orgs", ADMIN_TOKEN, JSON.stringify({ name: "plain-text-org" }), "text/plain")).status).toBe(415);
    expect((await stack.db.select({ n: count() }).from(organisations))[0]!.n).toBe(orgsBefore);
    expect(await tenantCount()).toBe(before);

    const json = await send("POST", "/api/v1/tenant/spawn", org.token, spawnBody("as-json"), "application/json; charset=utf-8");
    expect(json.status, JSON.stringify(json.body)).toBe(202);
    expect(await tenantCount()).toBe(before + 1);
    await stack.api(`/api/v1/tenant/${json.body.tenant.envId}`, { method: "DELETE", token: org.token });
  });

  it("calls without a body and without a Content-Type work as before", async () => {
    // An access token with every default: the body's fields are all optional, and the SDK may send none.
    const token = await send("POST", "/api/v1/auth/token", org.token, undefined, undefined);
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    expect(token.body.tokenType).toBe("Bearer");
    // What the SDK and the CLI send to an operation that declares no body (here: rotating the webhook secret).
    const rotated = await send("POST", "/api/v1/webhooks/secret/rotate", org.token, undefined, undefined);
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    // A malformed body declared as JSON is still a 400 MALFORMED_JSON, not a 415.
    const malformed = await send("POST", "/api/v1/tenant/spawn", org.token, "{nope", "application/json");
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe("MALFORMED_JSON");
  });
});
