/**
 * Access tokens (JWTs) against the real stack: issued for an organisation token, accepted by
 * every management endpoint within their scopes and tenants, verifiable by anyone from the
 * published JWKS, refused with a clear 401 when expired, forged or meant for someone else, and
 * revoked on every API process the moment the organisation token is rotated.
 */
import { execFile } from "node:child_process";
import http from "node:http";
import { promisify } from "node:util";
import { count, eq } from "drizzle-orm";
import { SignJWT, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, calculateJwkThumbprint, importJWK, jwtVerify, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret } from "../shared/crypto.js";
import { signingKeys, tenants } from "../shared/db/schema.js";
import { projectRoot } from "../shared/config.js";
import { spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";

const run = promisify(execFile);
const ADMIN_TOKEN = "cvg_org_access-token-tests-admin-0123456789";

let stack: Stack;
let other: { url: string };
let org: { id: number; token: string };
const spawned: Array<{ token: string; envId: number }> = [];

beforeAll(async () => {
  // No worker: tenants stay pending, which is all these tests need (no containers); the
  // clean-up starts one to carry out the destroys.
  stack = await startStack("jwt", { CONVERGENCE_ADMIN_TOKEN: ADMIN_TOKEN }, { workers: 0 });
  other = await stack.startExtraApi();
  org = await stack.newOrg("jwt-a");
});

afterAll(async () => {
  if (stack && spawned.length) {
    // Destroy first, then start a worker: it finds destroy jobs, never a provision to carry out.
    for (const t of spawned) await stack.api(`/api/v1/tenant/${t.envId}`, { method: "DELETE", token: t.token });
    stack.startWorker();
    for (const t of spawned) await waitForStatus(stack, t.token, t.envId, ["destroyed"], 30_000).catch(() => {});
  }
  await stack?.stop();
});

async function mint(token: string, body: Record<string, unknown> = {}, url = stack.url) {
  const res = await fetch(`${url}/api/v1/auth/token`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

async function accessToken(token: string, body: Record<string, unknown> = {}): Promise<string> {
  const res = await mint(token, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.token;
}

let clients = 0;
/**
 * GET /api/v1/tenant from a loopback address of its own (127.0.1.x): failed authentications are
 * counted per client address, and the failures this suite provokes on purpose must not turn the
 * answers these tests look at into 429s.
 */
function otherClient() {
  const localAddress = `127.0.1.${++clients}`;
  return (url: string, token: string) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = http.get(`${url}/api/v1/tenant`, { localAddress, headers: { authorization: `Bearer ${token}` } }, (res) => {
        let text = "";
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      });
      req.on("error", reject);
    });
}

async function get(path: string, token: string, url = stack.url) {
  const res = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

/** `owner`: the organisation token the clean-up uses for it. */
async function spawnTenant(token: string, name: string, owner = token): Promise<number> {
  const res = await spawnViaApi(stack, token, { name });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  spawned.push({ token: owner, envId: res.body.tenant.envId });
  return res.body.tenant.envId;
}

function withoutAdminToken(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { CONVERGENCE_ADMIN_TOKEN: _, ...rest } = env;
  return rest;
}

/**
 * A token signed with the platform's own current key, starting from a genuine token's claims
 * with `changes` applied: to show that a valid signature alone is not enough.
 */
async function signedByPlatform(changes: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const genuine = await accessToken(org.token);
  const { kid } = decodeProtectedHeader(genuine);
  const [row] = await stack.db.select().from(signingKeys).where(eq(signingKeys.kid, kid!));
  const privateKey = await importJWK(JSON.parse(decryptSecret(row!.privateJwkEnc, stack.config.ENCRYPTION_KEY)) as JWK, "ES256");
  return new SignJWT({ ...decodeJwt(genuine), ...changes }).setProtectedHeader({ alg: "ES256", kid, typ: "at+jwt", ...header }).sign(privateKey);
}

describe("issuing and using an access token", () => {
  it("an organisation token gets a signed JWT with its expiry and scopes, usable on every management endpoint", async () => {
    const res = await mint(org.token, {});
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toMatchObject({ success: true, tokenType: "Bearer", scopes: ["tenants:read", "tenants:write", "usage:read"], tenants: null });
    expect(res.body.expiresIn).toBeGreaterThan(890);
    expect(res.body.expiresIn).toBeLessThanOrEqual(900);
    expect(Date.parse(res.body.expiresAt) - Date.now()).toBeGreaterThan(880_000);

    const jwt: string = res.body.token;
    const header = decodeProtectedHeader(jwt);
    expect(header).toMatchObject({ alg: "ES256", typ: "at+jwt" });
    expect(typeof header.kid).toBe("string");
    const claims = decodeJwt(jwt);
    expect(claims).toMatchObject({ iss: "convergence", aud: "convergence-api", sub: `org_${org.id}`, scope: "tenants:read tenants:write usage:read", epoch: 0 });
    expect(typeof claims.jti).toBe("string");
    expect(claims.exp! - claims.iat!).toBe(900);

    // Spawn, read, list, usage: all with the JWT, on either API process.
    const spawn = await spawnViaApi(stack, jwt, { name: "via-jwt" });
    expect(spawn.status).toBe(202);
    spawned.push({ token: org.token, envId: spawn.body.tenant.envId });
    const envId = spawn.body.tenant.envId;
    expect((await get(`/api/v1/tenant/${envId}/status`, jwt)).body.tenant.name).toBe("via-jwt");
    expect((await get(`/api/v1/tenant/${envId}/status`, jwt, other.url)).body.tenant.name).toBe("via-jwt");
    expect((await get("/api/v1/tenant", jwt)).body.tenants.map((t: { envId: number }) => t.envId)).toContain(envId);
    expect((await get("/api/v1/usage", jwt)).status).toBe(200);
    // A JWT with a fresh jti per issue: two tokens are never the same.
    expect(decodeJwt(await accessToken(org.token)).jti).not.toBe(claims.jti);
  });

  it("the JWKS verifies an access token with an independent verifier", async () => {
    const jwt = await accessToken(org.token, { scopes: ["usage:read"], tenants: [await spawnTenant(org.token, "jwks-check")], ttlSeconds: 120 });
    const jwksRes = await fetch(`${stack.url}/.well-known/jwks.json`);
    expect(jwksRes.status).toBe(200);
    expect(jwksRes.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);
    const jwks = (await jwksRes.json()) as { keys: JWK[] };
    expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
    for (const k of jwks.keys) {
      expect(k).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
      expect(k).not.toHaveProperty("d"); // never the private part
    }
    const { payload, protectedHeader } = await jwtVerify(jwt, createRemoteJWKSet(new URL(`${other.url}/.well-known/jwks.json`)), {
      issuer: "convergence",
      audience: "convergence-api",
      typ: "at+jwt",
    });
    expect(protectedHeader.alg).toBe("ES256");
    expect(payload).toMatchObject({ sub: `org_${org.id}`, scope: "usage:read" });
    expect((payload as { tenants: number[] }).tenants).toHaveLength(1);
  });

  it("bad token requests get a clear 400 and no token", async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ scopes: ["tenants:admin"] }, /scope must be one of tenants:read, tenants:write, usage:read/],
      [{ scopes: [] }, /at least one scope/],
      [{ ttlSeconds: 3601 }, /ttlSeconds must be a whole number of seconds, 1-3600/],
      [{ ttlSeconds: 0 }, /ttlSeconds/],
      [{ ttlSeconds: 1.5 }, /ttlSeconds/],
      [{ tenants: [] }, /at least one tenant/],
      [{ tenants: ["1"] }, /envId/],
      [{ audience: "elsewhere" }, /audience/],
    ];
    for (const [body, message] of cases) {
      const res = await mint(org.token, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      expect(res.body.error.message).toMatch(message);
    }
  });

  it("a token cannot name another organisation's tenant, or one that does not exist (404)", async () => {
    const orgB = await stack.newOrg("jwt-b");
    const theirs = await spawnTenant(orgB.token, "theirs");
    for (const tenantsList of [[theirs], [999_999]]) {
      const res = await mint(org.token, { tenants: tenantsList });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("NOT_FOUND");
      expect(res.body.error.message).toContain(String(tenantsList[0]));
    }
  });
});

describe("what an access token may do", () => {
  it("an operation outside the token's scopes is 403 naming the missing scope, and changes nothing", async () => {
    const readOnly = await accessToken(org.token, { scopes: ["tenants:read"] });
    const before = await stack.db.select({ n: count() }).from(tenants).where(eq(tenants.orgId, org.id));
    const spawn = await spawnViaApi(stack, readOnly, { name: "not-allowed" });
    expect(spawn.status).toBe(403);
    expect(spawn.body.error.code).toBe("INSUFFICIENT_SCOPE");
    expect(spawn.body.error.message).toContain('"tenants:write"');
    expect(spawn.body.error.details).toEqual({ requiredScope: "tenants:write", grantedScopes: ["tenants:read"] });
    expect(spawn.headers.get("www-authenticate")).toContain('error="insufficient_scope", scope="tenants:write"');
    expect(await stack.db.select({ n: count() }).from(tenants).where(eq(tenants.orgId, org.id))).toEqual(before);

    const usage = await get("/api/v1/usage", readOnly);
    expect(usage.status).toBe(403);
    expect(usage.body.error.message).toContain('"usage:read"');

    // Scopes do not imply each other: write without read cannot read.
    const writeOnly = await accessToken(org.token, { scopes: ["tenants:write"] });
    const envId = await spawnTenant(writeOnly, "write-only", org.token);
    const status = await get(`/api/v1/tenant/${envId}/status`, writeOnly);
    expect(status.status).toBe(403);
    expect(status.body.error.message).toContain('"tenants:read"');
    expect((await get(`/api/v1/tenant/${envId}/status`, readOnly)).status).toBe(200);
  });

  it("a tenant-limited token sees only its tenants: others are 404, the list has only them, and it cannot spawn", async () => {
    const mine = await spawnTenant(org.token, "limited-mine");
    const notMine = await spawnTenant(org.token, "limited-other");
    const limited = await accessToken(org.token, { tenants: [mine] });
    expect(decodeJwt(limited).tenants).toEqual([mine]);

    for (const url of [stack.url, other.url]) {
      expect((await get(`/api/v1/tenant/${mine}/status`, limited, url)).status).toBe(200);
      const hidden = await get(`/api/v1/tenant/${notMine}/status`, limited, url);
      expect(hidden.status).toBe(404);
      expect(hidden.body.error.code).toBe("NOT_FOUND");
      expect(JSON.stringify(hidden.body)).not.toContain("limited-other");
    }
    for (const path of [`/api/v1/tenant/${notMine}/events`, `/api/v1/tenant/${notMine}/webhooks`, `/api/v1/tenant/${notMine}/logs`]) {
      expect((await get(path, limited)).status, path).toBe(404);
    }
    const list = await get("/api/v1/tenant?limit=100", limited);
    expect(list.status).toBe(200);
    expect(list.body.tenants.map((t: { envId: number }) => t.envId)).toEqual([mine]);

    const del = await stack.api(`/api/v1/tenant/${notMine}`, { method: "DELETE", token: limited });
    expect(del.status).toBe(404);
    expect((await get(`/api/v1/tenant/${notMine}/status`, org.token)).body.tenant.status).toBe("pending");

    const before = await stack.db.select({ n: count() }).from(tenants).where(eq(tenants.orgId, org.id));
    const spawn = await spawnViaApi(stack, limited, { name: "limited-spawn" });
    expect(spawn.status).toBe(403);
    expect(spawn.body.error.code).toBe("FORBIDDEN");
    expect(spawn.body.error.message).toMatch(new RegExp(`limited to tenant ${mine}.*whole organisation`));
    expect(await stack.db.select({ n: count() }).from(tenants).where(eq(tenants.orgId, org.id))).toEqual(before);
    expect((await stack.api("/api/v1/webhooks/secret/rotate", { method: "POST", token: limited, body: {} })).status).toBe(403);
  });

  it("access tokens cannot issue tokens, rotate the organisation token, or make convergence calls", async () => {
    const jwt = await accessToken(org.token);
    const again = await mint(jwt, {});
    expect(again.status).toBe(403);
    expect(again.body.error.message).toMatch(/needs the organisation token itself/);
    const rotate = await stack.api("/api/v1/auth/organisation-token/rotate", { method: "POST", token: jwt });
    expect(rotate.status).toBe(403);
    const converge = await stack.api("/api/v1/converge", { token: jwt, body: { prompt: "x", agentARole: "A", agentBRole: "B" } });
    expect(converge.status).toBe(401);
    // The organisation token still works for what it did before (nothing was rotated).
    expect((await get("/api/v1/tenant", org.token)).status).toBe(200);
  });

  it("the OpenAPI document declares both credentials and each operation's scope", async () => {
    const doc = (await (await fetch(`${stack.url}/openapi.json`)).json()) as any;
    expect(doc.components.securitySchemes.accessToken).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    expect(doc.paths["/api/v1/tenant/spawn"].post["x-required-scope"]).toBe("tenants:write");
    expect(doc.paths["/api/v1/tenant/{id}/status"].get["x-required-scope"]).toBe("tenants:read");
    expect(doc.paths["/api/v1/usage"].get["x-required-scope"]).toBe("usage:read");
    expect(doc.paths["/api/v1/auth/token"].post.security).toEqual([{ organisationToken: [] }]);
    expect(doc.paths["/api/v1/converge"].post.security).toEqual([{ tenantKey: [] }]);
  });
});

describe("refused access tokens: 401 with a clear message", () => {
  const refused = async (jwt: string, message: RegExp) => {
    for (const url of [stack.url, other.url]) {
      const res = await get("/api/v1/tenant", jwt, url);
      expect(res.status, url).toBe(401);
      expect(res.body.error.code).toBe("UNAUTHORIZED");
      expect(res.body.error.message).toMatch(message);
      expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    }
  };

  it("a key added by another process without telling this one is found by one refresh on its unknown kid", async () => {
    // A retired key (it signs no more) that still verifies, written straight to Postgres: no
    // NOTIFY, and the periodic refresh is a minute away, so only the unknown-kid refresh finds it.
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const now = Date.now();
    await stack.db.insert(signingKeys).values({
      kid,
      alg: "ES256",
      publicJwk: { ...publicJwk, kid, alg: "ES256", use: "sig" },
      privateJwkEnc: encryptSecret(JSON.stringify(await exportJWK(privateKey)), stack.config.ENCRYPTION_KEY),
      signsFrom: new Date(now - 2_000),
      signsUntil: new Date(now - 1_000),
      verifiesUntil: new Date(now + 120_000),
    });
    try {
      const claims = decodeJwt(await accessToken(org.token));
      const jwt = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid, typ: "at+jwt" }).sign(privateKey);
      expect((await get("/api/v1/tenant", jwt)).status).toBe(200);
      expect((await get("/api/v1/tenant", jwt, other.url)).status).toBe(200);
    } finally {
      await stack.db.delete(signingKeys).where(eq(signingKeys.kid, kid));
    }
  });

  it("an expired token", async () => {
    // 2 s, not 1: expiry is in whole seconds, so a 1 s token issued late in a second may be expired
    // by the time it is first used.
    const jwt = await accessToken(org.token, { ttlSeconds: 2 });
    expect((await get("/api/v1/tenant", jwt)).status).toBe(200);
    await waitFor(async () => (await get("/api/v1/tenant", jwt)).status === 401, { timeoutMs: 10_000, what: "the 2 s token to expire" });
    await refused(jwt, /^access token expired at \d{4}-/);
  });

  it("a token with a wrong signature, or signed by a key the platform does not have", async () => {
    const genuine = await accessToken(org.token);
    const { kid } = decodeProtectedHeader(genuine);
    const { privateKey } = await generateKeyPair("ES256");
    const claims = decodeJwt(genuine);
    // The platform's kid, another key's signature.
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid, typ: "at+jwt" }).sign(privateKey);
    await refused(forged, /^access token signature is invalid$/);
    // A tampered payload under the genuine signature.
    const [h, , s] = genuine.split(".");
    const widened = Buffer.from(JSON.stringify({ ...claims, sub: "org_1" })).toString("base64url");
    await refused(`${h}.${widened}.${s}`, /^access token signature is invalid$/);
    const unknownKid = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "no-such-key", typ: "at+jwt" }).sign(privateKey);
    await refused(unknownKid, /unknown or retired key \(kid "no-such-key"\)/);
    await refused(`${h}.e30.${s}`, /signature is invalid|malformed/);
  });

  it("a token for another audience, from another issuer, or not an access token", async () => {
    await refused(await signedByPlatform({ aud: "someone-else" }), /another audience \(this API is "convergence-api"\)/);
    await refused(await signedByPlatform({ iss: "https://elsewhere.example" }), /issued by someone else \(this API's issuer is "convergence"\)/);
    await refused(await signedByPlatform({}, { typ: "JWT" }), /not an access token \(typ must be at\+jwt\)/);
    await refused(await signedByPlatform({ scope: "tenants:admin" }), /claims are malformed/);
    // Control: the same helper with no change makes a token that works.
    expect((await get("/api/v1/tenant", await signedByPlatform({}))).status).toBe(200);
  });
});

describe("revocation: rotating the organisation token", () => {
  it("through the API refuses the old token and its access tokens at once on every API process", async () => {
    const victim = await stack.newOrg("jwt-rotate-api");
    const jwt = await accessToken(victim.token);
    // Both processes have verified it (and cached the organisation's epoch).
    expect((await get("/api/v1/tenant", jwt)).status).toBe(200);
    expect((await get("/api/v1/tenant", jwt, other.url)).status).toBe(200);

    const rotated = await stack.api("/api/v1/auth/organisation-token/rotate", { method: "POST", token: victim.token });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get("cache-control")).toBe("no-store");
    const newToken: string = rotated.body.token;
    expect(newToken).toMatch(/^cvg_org_/);
    expect(rotated.body.prefix).toBe(newToken.slice(0, 14));

    for (const url of [stack.url, other.url]) {
      const res = await get("/api/v1/tenant", jwt, url);
      expect(res.status, url).toBe(401);
      expect(res.body.error.message).toMatch(/revoked: the organisation token has been rotated/);
      expect((await get("/api/v1/tenant", victim.token, url)).status).toBe(401);
      expect((await get("/api/v1/tenant", newToken, url)).status).toBe(200);
    }
    // A token from the new organisation token works everywhere, including where the epoch was cached before.
    const fresh = await accessToken(newToken);
    expect(decodeJwt(fresh).epoch).toBe(1);
    expect((await get("/api/v1/tenant", fresh, other.url)).status).toBe(200);
  });

  it("with `npm run org -- rotate-token`, which prints the new token once", async () => {
    const victim = await stack.newOrg("jwt-rotate-cli");
    const jwt = await accessToken(victim.token);
    expect((await get("/api/v1/tenant", jwt, other.url)).status).toBe(200);

    const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/org.ts", "rotate-token", String(victim.id)], {
      cwd: projectRoot,
      env: withoutAdminToken(stack.env),
    });
    const printed = stdout.match(/cvg_org_[A-Za-z0-9_-]+/g) ?? [];
    expect(printed).toHaveLength(1);
    for (const url of [stack.url, other.url]) {
      expect((await get("/api/v1/tenant", jwt, url)).status, url).toBe(401);
      expect((await get("/api/v1/tenant", printed[0]!, url)).status, url).toBe(200);
    }
  });

  it("the admin token (organisation 1) issues access tokens, and is rotated by changing CONVERGENCE_ADMIN_TOKEN, not here", async () => {
    const jwt = await accessToken(ADMIN_TOKEN);
    expect(decodeJwt(jwt).sub).toBe("org_1");
    expect((await get("/api/v1/tenant", jwt)).status).toBe(200);
    const rotate = await stack.api("/api/v1/auth/organisation-token/rotate", { method: "POST", token: ADMIN_TOKEN });
    expect(rotate.status).toBe(409);
    expect(rotate.body.error.message).toMatch(/CONVERGENCE_ADMIN_TOKEN/);
    const cli = await run(process.execPath, ["--import", "tsx", "scripts/org.ts", "rotate-token", "1"], { cwd: projectRoot, env: stack.env }).catch(
      (err: { code: number; stderr: string }) => err,
    );
    expect(cli).toMatchObject({ code: 1 });
    expect((cli as { stderr: string }).stderr).toMatch(/CONVERGENCE_ADMIN_TOKEN/);
    expect((await get("/api/v1/tenant", ADMIN_TOKEN)).status).toBe(200);
    expect((await get("/api/v1/tenant", jwt, other.url)).status).toBe(200);
  });

  it("an organisation token every API process has verified (and remembers) is refused by each once rotated elsewhere", async () => {
    const victim = await stack.newOrg("org-token-cached");
    const client = otherClient();
    for (const url of [stack.url, other.url]) expect((await client(url, victim.token)).status, url).toBe(200);
    // Rotated by the CLI, outside both API processes: only the NOTIFY can tell them.
    const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/org.ts", "rotate-token", String(victim.id)], {
      cwd: projectRoot,
      env: withoutAdminToken(stack.env),
    });
    const [newToken] = stdout.match(/cvg_org_[A-Za-z0-9_-]+/g) ?? [];
    for (const url of [stack.url, other.url]) {
      const old = await client(url, victim.token);
      expect(old.status, url).toBe(401);
      expect(old.body.error.message).toBe("invalid organisation token");
      expect((await client(url, newToken!)).status, url).toBe(200);
    }
  });

  it("while an API process cannot hear rotations (LISTEN lost), it does not trust organisation tokens it remembers", async () => {
    const victim = await stack.newOrg("org-token-unheard");
    for (const url of [stack.url, other.url]) expect((await otherClient()(url, victim.token)).status, url).toBe(200);
    await stack.sql`
      select pg_terminate_backend(pid) from pg_stat_activity
      where application_name = 'convergence-auth-listener' and datname = current_database()`;
    // A token change nobody announces (no NOTIFY): every process must still see it.
    await stack.sql`update organisations set token_hash = ${"unannounced-" + victim.id} where id = ${victim.id}`;
    for (const url of [stack.url, other.url]) {
      await waitFor(async () => (await otherClient()(url, victim.token)).status === 401, { timeoutMs: 10_000, what: `${url} to refuse the token` });
    }
  });

  it("while an API process cannot hear rotations (LISTEN lost), it does not trust its cached epochs", async () => {
    const victim = await stack.newOrg("jwt-rotate-unheard");
    const jwt = await accessToken(victim.token);
    expect((await get("/api/v1/tenant", jwt)).status).toBe(200);
    expect((await get("/api/v1/tenant", jwt, other.url)).status).toBe(200);
    // Cut every API process's auth LISTEN connection, then rotate without any NOTIFY: no process
    // can hear of it, and both must still refuse the token (the cached epoch lives for a minute).
    await stack.sql`
      select pg_terminate_backend(pid) from pg_stat_activity
      where application_name = 'convergence-auth-listener' and datname = current_database()`;
    await stack.sql`update organisations set token_epoch = token_epoch + 1 where id = ${victim.id}`;
    for (const url of [stack.url, other.url]) {
      await waitFor(async () => (await get("/api/v1/tenant", jwt, url)).status === 401, { timeoutMs: 10_000, what: `${url} to refuse the token` });
    }
    // Once listening again, a rotation is heard (and the cache trusted) as before.
    await waitFor(
      async () => {
        const [row] = await stack.sql`
          select count(*)::int as n from pg_stat_activity
          where application_name = 'convergence-auth-listener' and datname = current_database() and query like 'listen%'`;
        return row!.n >= 2;
      },
      { timeoutMs: 15_000, what: "both auth listeners to subscribe again" },
    );
    const next = await stack.newOrg("jwt-rotate-heard");
    const nextJwt = await accessToken(next.token);
    expect((await get("/api/v1/tenant", nextJwt, other.url)).status).toBe(200);
    expect((await stack.api("/api/v1/auth/organisation-token/rotate", { method: "POST", token: next.token })).status).toBe(200);
    expect((await get("/api/v1/tenant", nextJwt, other.url)).status).toBe(401);
  });
});
