/**
 * Signing-key rotation with lifetimes short enough to watch: a key signs for 6 s and keeps
 * verifying for 8 s after, tokens live 8 s. The next key is published before it signs; a token
 * from the previous key still verifies during the overlap, on every API process and for an
 * independent verifier; and a retired key leaves the JWKS only once its tokens have expired.
 */
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { decryptSecret } from "../shared/crypto.js";
import { runToExit } from "./helpers/run.js";
import { freePort, startStack, waitFor, type Stack } from "./helpers/stack.js";

let stack: Stack;
let other: { url: string };
let org: { id: number; token: string };

beforeAll(async () => {
  stack = await startStack("jwt-keys", { JWT_KEY_ROTATION_SECONDS: "6", JWT_KEY_OVERLAP_SECONDS: "8", JWT_MAX_TTL_SECONDS: "8", JWT_DEFAULT_TTL_SECONDS: "8" }, { workers: 0 });
  other = await stack.startExtraApi();
  org = await stack.newOrg("jwt-keys");
});
afterAll(async () => {
  await stack?.stop();
});

async function mint(): Promise<{ token: string; kid: string; exp: number }> {
  const res = await stack.api("/api/v1/auth/token", { token: org.token, body: {} });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { token: res.body.token, kid: decodeProtectedHeader(res.body.token).kid!, exp: decodeJwt(res.body.token).exp! * 1000 };
}

async function publishedKids(url = stack.url): Promise<string[]> {
  const res = await fetch(`${url}/.well-known/jwks.json`);
  expect(res.headers.get("cache-control")).toBe("public, max-age=1");
  return ((await res.json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
}

const accepted = async (token: string, url: string) => (await fetch(`${url}/api/v1/tenant`, { headers: { authorization: `Bearer ${token}` } })).status;

it("keys rotate with an overlap: published before signing, old tokens verify until they expire, then the old key is gone", async () => {
  const first = await mint();

  // Mint until a token comes from another key, noting every key the JWKS showed while tokens
  // still came from the first one (earlier test files' keys may be there too, still verifying).
  const publishedWhileFirstSigned = new Set<string>();
  const next = await waitFor(
    async () => {
      const kids = await publishedKids();
      const t = await mint();
      if (t.kid !== first.kid) return t;
      for (const k of kids) publishedWhileFirstSigned.add(k);
      return null;
    },
    { timeoutMs: 15_000, intervalMs: 100, what: "a token signed by the next key" },
  );
  expect(publishedWhileFirstSigned).toContain(next.kid);

  // The overlap: the first token has not expired (8 s life, the key signed for at most 6 s of
  // it), and it still verifies everywhere, as do tokens from the new key on the other process.
  expect(Date.now()).toBeLessThan(first.exp);
  expect(await publishedKids(other.url)).toEqual(expect.arrayContaining([first.kid, next.kid]));
  expect(await accepted(first.token, stack.url)).toBe(200);
  expect(await accepted(first.token, other.url)).toBe(200);
  expect(await accepted(next.token, other.url)).toBe(200);
  const remote = createRemoteJWKSet(new URL(`${other.url}/.well-known/jwks.json`));
  for (const t of [first, next]) {
    const { protectedHeader } = await jwtVerify(t.token, remote, { issuer: "convergence", audience: "convergence-api" });
    expect(protectedHeader.kid).toBe(t.kid);
  }

  // Retired for good only after every token it signed has expired.
  await waitFor(async () => !(await publishedKids()).includes(first.kid), { timeoutMs: 20_000, intervalMs: 100, what: "the first key to leave the JWKS" });
  expect(Date.now()).toBeGreaterThanOrEqual(first.exp);
  expect(await publishedKids(other.url)).not.toContain(first.kid);
  const refused = await fetch(`${other.url}/api/v1/tenant`, { headers: { authorization: `Bearer ${first.token}` } });
  expect(refused.status).toBe(401);
});

it("an API process started with another ENCRYPTION_KEY refuses to start, saying so, and makes no signing key", async () => {
  const before = await mint();
  const now = (await stack.sql<{ now: Date }[]>`select now()`)[0]!.now;
  // Another key than the stack's: it would read no stored secret, so it must not serve at all.
  const changed = await runToExit("api/main.ts", { ...stack.env, ENCRYPTION_KEY: randomBytes(32).toString("base64"), PORT: String(await freePort()), OPS_PORT: String(await freePort()) });
  expect(changed.code).toBe(78);
  expect(changed.out).toContain("ENCRYPTION_KEY is not the key this database's secrets are encrypted with");
  // Keys rotate every 6 s here, so the stack's own APIs make keys meanwhile: each under the stack's key, none under another.
  const made = await stack.sql<{ private_jwk_enc: string }[]>`select private_jwk_enc from signing_keys where created_at >= ${now}`;
  for (const k of made) expect(() => decryptSecret(k.private_jwk_enc, stack.config.ENCRYPTION_KEY)).not.toThrow();
  expect(await accepted(before.token, stack.url)).toBe(200);
});
