/**
 * A property-based test over the whole API: fast-check generates requests for every operation
 * in /openapi.json (read at run time, so a new operation is covered without touching this file),
 * from each operation's own schemas, valid and invalid (numbers out of their column's range,
 * impossible dates, NUL bytes, lone surrogates, control characters, over-long values, wrong
 * types, unknown fields, malformed encodings), with and without credentials. It asserts:
 *
 * - no answer is ever a 5xx;
 * - an error answer is the JSON error envelope;
 * - a refused request (4xx) changes nothing: no tenant row or state, no organisation or token,
 *   no job added, no container.
 *
 * A few hundred requests: the organisation's limits are set low so that valid spawns, rotations
 * and destroys stay few (most are refused by those limits, which is tested too), and after each
 * one that was accepted the test waits for its tenants to settle before the next request.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setLimits } from "../shared/limits/limits.js";
import { TEST_OWNER, startStack, waitFor, type Stack } from "./helpers/stack.js";

type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  default?: unknown;
};
type Parameter = { name: string; in: "path" | "query" | "header"; required?: boolean; schema: Schema };
type Operation = {
  method: string;
  path: string;
  operationId: string;
  security?: Array<Record<string, string[]>>;
  parameters: Parameter[];
  body?: Schema;
};
interface FuzzRequest {
  op: Operation;
  valid: boolean;
  credential: "proper" | "access-token" | "none" | "garbage";
  path: Record<string, string>;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  /** A JSON value, or raw text when `rawBody` is set. */
  body?: unknown;
  rawBody?: string;
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const adminToken = `cvg_org_${"a".repeat(40)}`;
const MAX_INT4 = 2_147_483_647;

let stack: Stack;
let doc: { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, Schema> } };
let operations: Operation[];
/** What the fuzzing organisation holds now; updated when a valid request changes a credential. */
const state = { orgId: 0, orgToken: "", accessToken: "", tenantKey: "", tenantIds: [] as number[] };

beforeAll(async () => {
  stack = await startStack("fuzz", { AUTH_FAILURE_LIMIT: "0", CONVERGENCE_ADMIN_TOKEN: adminToken, LOGS_TIMEOUT_MS: "10000" });
  const org = await stack.newOrg("fuzz");
  Object.assign(state, { orgId: org.id, orgToken: org.token });
  // Low limits keep the accepted mutations few: most valid spawns, rotations and destroys are refused by them.
  await setLimits(stack.db, org.id, { maxTenants: 2, spawnsPerMinute: 4, rotationsPerMinute: 3, destroysPerMinute: 4 });
  const spawned = await stack.api("/api/v1/tenant/spawn", { token: org.token, body: { name: "fuzzed", language: "node", framework: "express" } });
  expect(spawned.status).toBe(202);
  state.tenantKey = spawned.body.tenant.apiKey;
  await settle();
  await refreshAccessToken();
  doc = (await stack.api("/openapi.json")).body;
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      operationId: op.operationId,
      security: op.security,
      parameters: (op.parameters ?? []) as Parameter[],
      body: op.requestBody?.content?.["application/json"]?.schema,
    })),
  );
});
afterAll(async () => {
  if (stack) {
    for (const id of await orgTenants()) await stack.api(`/api/v1/tenant/${id}`, { method: "DELETE", token: state.orgToken }).catch(() => {});
    await settle().catch(() => {});
    await stack.stop();
  }
});

async function orgTenants(): Promise<number[]> {
  return (await stack.sql<{ env_id: number }[]>`select env_id from tenants where org_id = ${state.orgId} order by env_id`).map((r) => r.env_id);
}

/** Waits until no tenant of the fuzzing organisation is on its way somewhere (pending … starting, destroying). */
async function settle() {
  await waitFor(async () => (await stack.sql`select 1 from tenants where org_id = ${state.orgId} and status in ('pending','provisioning','starting','destroying')`).length === 0, {
    timeoutMs: 90_000,
    what: "the fuzzing organisation's tenants to settle",
  });
  state.tenantIds = await orgTenants();
}

async function refreshAccessToken() {
  const res = await stack.api("/api/v1/auth/token", { token: state.orgToken, body: {} });
  expect(res.status).toBe(200);
  state.accessToken = res.body.token;
}

// --- generating requests from the document ------------------------------------------------------

const resolve = (s: Schema): Schema => (s.$ref ? resolve(doc.components.schemas[s.$ref.split("/").pop()!]!) : s);
const typeOf = (s: Schema) => (Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type);

/** Values no field should take quietly: out of range, impossible, unstorable, or of the wrong kind. */
const nastyStrings = [
  "",
  " ",
  "-1",
  "0",
  "1.5",
  "1e400",
  "NaN",
  "2147483648",
  "99999999999999999999",
  "\u0000",
  "a\u0000b",
  "a\ud800b",
  "\udfff",
  "\u001b[31m",
  "\u202eevil",
  "e\u0301",
  "x".repeat(5000),
  "275760-09-13",
  "-271821-04-20T00:00:00Z",
  "0000-01-01",
  "2026-13-45",
  "1",
  "tenant_99999999999",
  "tenant_0",
  "javascript:alert(1)",
  "http://[::1",
];
const nastyValues: unknown[] = [...nastyStrings, null, true, -1, 0, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, 1.5, [], {}, [1, 2], { a: 1 }];

/** A valid value for a schema (as valid as the schema can say; the API may still refuse it). */
function validArb(schema: Schema, name = ""): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (s.anyOf || s.oneOf) return validArb((s.anyOf ?? s.oneOf)![0]!, name);
  if (s.enum) return fc.constantFrom(...s.enum);
  // Fields whose valid values the schema cannot describe, or that must not reach off this machine.
  if (name === "webhookUrl") return fc.constantFrom("http://127.0.0.1:9/hook", "http://10.0.0.1/hook");
  if (name === "from" || name === "to") return fc.date({ min: new Date("2025-01-01"), max: new Date("2027-01-01"), noInvalidDate: true }).map((d) => d.toISOString());
  if (name === "timeout") return fc.integer({ min: 1, max: 2 }); // a held request is held this long
  if (name === "tenant_id") return fc.constantFrom("tenant_1", "1", `tenant_${state.tenantIds[0] ?? 1}`);
  if (name === "language") return fc.constantFrom("node", "cobol");
  if (name === "framework") return fc.constantFrom("express", "hono", "rails");
  switch (typeOf(s)) {
    case "integer":
    case "number": {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
      const max = Math.min(s.maximum ?? 1000, min + 1000);
      return fc.integer({ min: Math.ceil(min), max: Math.floor(Math.max(min, max)) });
    }
    case "boolean":
      return fc.boolean();
    case "string": {
      const maxLength = Math.min(s.maxLength ?? 40, 80);
      if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= (s.minLength ?? 0) && v.length <= maxLength);
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.max(s.minLength ?? 0, maxLength) });
    }
    case "array":
      return fc.array(validArb(s.items ?? {}), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) });
    case "object": {
      const props = s.properties ?? {};
      const required = new Set(s.required ?? []);
      const entries = Object.entries(props).map(([k, v]) => [k, required.has(k) ? validArb(v, k) : fc.option(validArb(v, k), { nil: undefined })] as const);
      return fc.record(Object.fromEntries(entries)).map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
    }
    default:
      return fc.constant("x");
  }
}

/** One way to break a request, chosen and applied to what was generated as valid. */
const mutationArb = fc.record({
  where: fc.oneof(
    { arbitrary: fc.constantFrom("path", "query", "body"), weight: 3 },
    { arbitrary: fc.constantFrom("header", "extra-query", "extra-field", "drop-field", "raw-body"), weight: 2 },
  ),
  pick: fc.nat(),
  // Mostly the values known to hurt; sometimes anything at all.
  value: fc.oneof(
    { arbitrary: fc.constantFrom(...nastyValues), weight: 6 },
    { arbitrary: fc.oneof(fc.string(), fc.string({ unit: "binary", maxLength: 20 }), fc.integer(), fc.double()), weight: 2 },
  ),
  raw: fc.constantFrom("{", "[1,2", "null", '"text"', "\u0000", '{"name":"\ud800"}', "x".repeat(70_000)),
});

function requestArb(op: Operation): fc.Arbitrary<FuzzRequest> {
  const params = (where: Parameter["in"]) => op.parameters.filter((p) => p.in === where);
  const paramsArb = (where: Parameter["in"]) =>
    fc.record(
      Object.fromEntries(
        params(where).map((p) => {
          const value = p.name === "id" ? fc.oneof(fc.constant("$tenant"), fc.integer({ min: 1, max: MAX_INT4 }).map(String)) : validArb(p.schema, p.name).map(String);
          // A held request without a short timeout would be held 30 s: always send one.
          return [p.name, p.required || p.name === "timeout" ? value : fc.option(value, { nil: undefined })];
        }),
      ),
    );
  return fc
    .record({
      valid: fc.boolean(),
      credential: fc.constantFrom("proper", "proper", "access-token", "none", "garbage"),
      path: paramsArb("path"),
      query: paramsArb("query"),
      headers: paramsArb("header"),
      body: op.body ? validArb(op.body) : fc.constant(undefined),
      mutation: mutationArb,
    })
    .map(({ valid, credential, path, query, headers, body, mutation }) => {
      const req: FuzzRequest = {
        op,
        valid,
        credential: credential as FuzzRequest["credential"],
        path: defined(path) as Record<string, string>,
        query: Object.entries(defined(query)) as Array<[string, string]>,
        headers: defined(headers) as Record<string, string>,
        body,
      };
      return valid ? req : mutate(req, mutation);
    });
}

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function mutate(req: FuzzRequest, m: { where: string; pick: number; value: unknown; raw: string }): FuzzRequest {
  const asText = typeof m.value === "string" ? m.value : JSON.stringify(m.value);
  const nth = <T>(xs: T[]) => xs[m.pick % xs.length];
  const pathParams = Object.keys(req.path);
  const queryParams = req.op.parameters.filter((p) => p.in === "query").map((p) => p.name);
  const headerParams = req.op.parameters.filter((p) => p.in === "header").map((p) => p.name);
  const body = req.body && typeof req.body === "object" && !Array.isArray(req.body) ? { ...(req.body as Record<string, unknown>) } : req.body;
  const fields = body && typeof body === "object" ? Object.keys(resolve(req.op.body ?? {}).properties ?? {}) : [];
  switch (m.where) {
    case "path":
      if (pathParams.length) return { ...req, path: { ...req.path, [nth(pathParams)!]: asText } };
      break;
    case "query":
      if (queryParams.length) return { ...req, query: [...req.query.filter(([k]) => k !== nth(queryParams)), [nth(queryParams)!, asText]] };
      break;
    case "header":
      // Header values cannot carry NUL or newlines at all (fetch refuses to send them): the rest can.
      if (headerParams.length) return { ...req, headers: { ...req.headers, [nth(headerParams)!]: asText.replace(/[\u0000-\u001f\u007f]/g, "?").replace(/[^\u0000-\u00ff]/g, "?") } };
      break;
    case "extra-query":
      return { ...req, query: [...req.query, ["unexpected", asText]] };
    case "body":
      if (fields.length) return { ...req, body: { ...(body as object), [nth(fields)!]: m.value } };
      break;
    case "extra-field":
      if (req.op.body) return { ...req, body: { ...(body as object), unexpected: m.value } };
      break;
    case "drop-field": {
      const required = resolve(req.op.body ?? {}).required ?? [];
      if (required.length && body && typeof body === "object") {
        const { [nth(required)!]: _dropped, ...rest } = body as Record<string, unknown>;
        return { ...req, body: rest };
      }
      break;
    }
    case "raw-body":
      if (req.op.method === "POST") return { ...req, body: undefined, rawBody: m.raw };
      break;
  }
  // Nothing of that kind to break in this operation: break the first path parameter or add a bad query parameter.
  return pathParams.length ? { ...req, path: { ...req.path, [pathParams[0]!]: asText } } : { ...req, query: [...req.query, ["unexpected", asText]] };
}

/** A query or path component; a lone surrogate (which encodeURIComponent refuses) goes as the bytes of an encoded one. */
const encode = (v: string) => {
  try {
    return encodeURIComponent(v);
  } catch {
    return v.replace(/[^A-Za-z0-9]/g, (c) => (/[\ud800-\udfff]/.test(c) ? "%ED%A0%80" : encodeURIComponent(c)));
  }
};

function credentialFor(req: FuzzRequest): string | undefined {
  if (req.credential === "none") return undefined;
  if (req.credential === "garbage") return "cvg_org_not-a-real-token";
  const schemes = (req.op.security ?? []).flatMap((s) => Object.keys(s));
  if (schemes.includes("tenantKey")) return state.tenantKey;
  if (schemes.includes("operatorToken")) return adminToken;
  if (schemes.includes("accessToken") && req.credential === "access-token") return state.accessToken;
  if (schemes.includes("organisationToken")) return state.orgToken;
  return undefined;
}

async function send(req: FuzzRequest) {
  const tenant = state.tenantIds.length ? state.tenantIds[req.query.length % state.tenantIds.length]! : 1;
  const path = req.op.path.replace(/\{(\w+)\}/g, (_, name: string) => (req.path[name] === "$tenant" ? String(tenant) : encode(req.path[name] ?? "1")));
  const query = req.query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&");
  const token = credentialFor(req);
  const headers: Record<string, string> = { ...req.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (req.rawBody !== undefined) body = req.rawBody;
  else if (req.body !== undefined) body = JSON.stringify(req.body);
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${stack.url}${path}${query ? `?${query}` : ""}`, { method: req.op.method, headers, body, signal: AbortSignal.timeout(30_000) });
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("event-stream")) {
    await res.body?.cancel();
    return { status: res.status, type, body: null as any };
  }
  const text = await res.text();
  let parsed: any = null;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, type, body: parsed };
}

// --- what a refused request must not have changed -------------------------------------------------

const changingQueues = ["tenant-provision", "tenant-destroy", "tenant-logs", "webhook-delivery"];

async function snapshot() {
  const [tenantRows, orgRows, containers, lastEvents] = await Promise.all([
    stack.sql`select env_id, org_id, status, api_key_hash, port, idempotency_key, webhook_url from tenants order by env_id`,
    stack.sql`select id, name, token_hash, token_epoch, webhook_secret_enc from organisations order by id`,
    stack.docker.listContainers({ all: true, filters: { label: [`io.convergence.owner=${TEST_OWNER}`] } }).then((cs) => cs.map((c) => c.Id).sort()),
    Promise.all(changingQueues.map(async (q) => (await stack.redis.xrevrange(`${stack.env.QUEUE_PREFIX}:${q}:events`, "+", "-", "COUNT", 1))[0]?.[0] ?? "0")),
  ]);
  return { tenants: JSON.stringify(tenantRows), orgs: JSON.stringify(orgRows), containers, lastEvents };
}

/** Jobs added to the queues that do work since the snapshot (events streams record every `added`). */
async function jobsAddedSince(lastEvents: string[]): Promise<string[]> {
  const added: string[] = [];
  for (const [i, q] of changingQueues.entries()) {
    const entries = await stack.redis.xrange(`${stack.env.QUEUE_PREFIX}:${q}:events`, `(${lastEvents[i]}`, "+");
    for (const [, fields] of entries) if (fields[fields.indexOf("event") + 1] === "added") added.push(`${q}:${fields[fields.indexOf("jobId") + 1]}`);
  }
  return added;
}

/** After an accepted request, what changed is taken as the new normal: credentials it issued, tenants it moved. */
async function absorb(req: FuzzRequest, res: { status: number; body: any }) {
  const id = req.op.operationId;
  if (id === "rotateOrganisationToken") {
    state.orgToken = res.body.token;
    await refreshAccessToken();
  }
  if ((id === "spawnTenant" || id === "rotateTenantKey") && res.body.tenant.apiKey) state.tenantKey = res.body.tenant.apiKey;
  if (["spawnTenant", "rotateTenantKey", "destroyTenant"].includes(id)) await settle();
}

describe("every operation in /openapi.json, fuzzed", () => {
  it(`${RUNS} generated requests: never a 5xx, every error in the envelope, and a refused request changes nothing`, async () => {
    const seen = new Map<string, Set<number>>();
    const arb = fc.integer({ min: 0, max: operations.length - 1 }).chain((i) => requestArb(operations[i]!));
    await fc.assert(
      fc.asyncProperty(arb, async (req) => {
        const before = await snapshot();
        const res = await send(req);
        const what = `${req.op.method} ${req.op.path} (${req.valid ? "valid" : "invalid"}, ${req.credential}) → ${res.status} ${res.body?.error?.code ?? ""}`;
        (seen.get(req.op.operationId) ?? seen.set(req.op.operationId, new Set()).get(req.op.operationId)!).add(res.status);
        expect(res.status, what).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.type, what).toContain("application/json");
          expect(res.body, what).toMatchObject({ success: false, error: { code: expect.any(String), message: expect.any(String) } });
          const after = await snapshot();
          expect(after.tenants, `${what}: tenant rows changed`).toBe(before.tenants);
          expect(after.orgs, `${what}: organisations changed`).toBe(before.orgs);
          expect(after.containers, `${what}: containers changed`).toEqual(before.containers);
          expect(await jobsAddedSince(before.lastEvents), `${what}: jobs were added`).toEqual([]);
        } else {
          await absorb(req, res as any);
        }
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    // Every operation was tried, and the generator reached past validation somewhere (not only 400s and 401s).
    expect([...seen.keys()].sort()).toEqual(operations.map((o) => o.operationId).sort());
    const statuses = new Set([...seen.values()].flatMap((s) => [...s]));
    for (const s of [200, 400, 401]) expect(statuses, `some request answered ${s}`).toContain(s);
  });
});
