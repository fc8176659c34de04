/**
 * The ingress as the public door, through the real API, worker, tenants and the machine's shared
 * Caddy (the stack's own servers and ports):
 * - a starter app's /api/converge reached through its public hostname asks for the tenant's API
 *   key, and a client can neither fake nor remove the ingress's mark; the quick reference's call on
 *   the loopback host port works without it, as before;
 * - the API and the dashboard answer at https://api.localhost (Caddy's internal CA), with Secure
 *   session cookies and HSTS there, and nothing of the operations listener.
 */
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { httpsGet, httpsRequest, type Reply } from "./helpers/https.js";
import { spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";

let stack: Stack;
let org: { id: number; token: string };
let ca: string;
let apiBase: string;
const tenants: Record<string, Tenant> = {};

interface Tenant {
  envId: number;
  port: number;
  url: string;
  apiKey: string;
}

const frameworks = ["express", "hono"] as const;
const payload = JSON.stringify({ prompt: "Design a system", agentARole: "Architect", agentBRole: "Reviewer" });

/** This host's address on a real interface: a peer the API does not trust as a proxy. */
const hostIp = Object.entries(networkInterfaces())
  .filter(([name]) => !/^(lo|docker|br-|veth|cvg)/.test(name))
  .flatMap(([, addrs]) => addrs ?? [])
  .find((x) => x.family === "IPv4" && !x.internal)?.address;

async function spawnReady(framework: string): Promise<Tenant> {
  const res = await spawnViaApi(stack, org.token, { name: `door-${framework}`, language: "node", framework });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const ready = await waitForStatus(stack, org.token, res.body.tenant.envId, ["ready", "failed"]);
  expect(ready.status, ready.error).toBe("ready");
  return { envId: ready.envId, port: ready.port, url: ready.url, apiKey: res.body.tenant.apiKey };
}

/** The tenant's metered convergence calls. */
async function calls(t: Tenant): Promise<number> {
  const u = await stack.api(`/api/v1/usage?org_id=${org.id}`, { token: org.token });
  expect(u.status).toBe(200);
  return u.body.tenants.find((x: { envId: number }) => x.envId === t.envId)?.calls ?? 0;
}

const convergeThroughIngress = (t: Tenant, headers: Record<string, string> = {}) =>
  httpsRequest(`${t.url}/api/converge`, ca, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: payload }, 60_000);

/** Waits until `url` answers through the ingress with `status` (the worker writes routes as it starts). */
const answers = (url: string, status: number, init?: Parameters<typeof httpsRequest>[2]) =>
  waitFor(
    async () => {
      const r = await httpsRequest(url, ca, init).catch(() => null);
      return r?.status === status ? r : null;
    },
    { timeoutMs: 30_000, intervalMs: 250, what: `${url} to answer ${status}` },
  );

beforeAll(async () => {
  expect(hostIp, "a non-loopback IPv4 address on this host").toBeTruthy();
  stack = await startStack("ingress-public");
  org = await stack.newOrg("ingress-public");
  const list = await Promise.all(frameworks.map(spawnReady));
  frameworks.forEach((f, i) => (tenants[f] = list[i]!));
  const res = await fetch(`${stack.config.CADDY_ADMIN_URL}/pki/ca/local`);
  ca = ((await res.json()) as { root_certificate: string }).root_certificate;
  apiBase = `https://${stack.config.API_HOSTNAME}:${stack.config.INGRESS_HTTPS_PORT}`;
});

afterAll(async () => {
  await stack?.stop(); // removes the tenants and the stack's Caddy servers
});

describe.each(frameworks)("the %s starter app's convergence endpoint", (framework) => {
  test("through the public hostname without the tenant's key it is 401 and nothing is metered", async () => {
    const t = tenants[framework]!;
    await answers(`${t.url}/health`, 200);
    const other = tenants[frameworks.find((f) => f !== framework)!]!;
    const refused: [string, Record<string, string>][] = [
      ["no key", {}],
      ["a wrong key", { authorization: "Bearer sk_tenant_not-this-tenants-key" }],
      ["another tenant's key", { authorization: `Bearer ${other.apiKey}` }],
      ["the key without Bearer", { authorization: t.apiKey }],
    ];
    for (const [what, headers] of refused) {
      const r = await convergeThroughIngress(t, headers);
      expect([what, r.status]).toEqual([what, 401]);
      expect(JSON.parse(r.body)).toMatchObject({ success: false, error: { code: "UNAUTHORIZED" } });
    }
    expect(await calls(t)).toBe(0);
  });

  test("a client can neither fake the ingress's mark nor remove it", async () => {
    const t = tenants[framework]!;
    const attempts: [string, Record<string, string>][] = [
      ["its own marker, no key", { "x-convergence-ingress": "1" }],
      ["its own marker set to 0, a wrong key", { "x-convergence-ingress": "0", authorization: "Bearer sk_tenant_wrong" }],
      // A hop-by-hop header named in Connection is dropped by a proxy: Caddy sets the mark after that.
      ["the marker named hop-by-hop", { connection: "keep-alive, X-Convergence-Ingress", "x-convergence-ingress": "1" }],
    ];
    for (const [what, headers] of attempts) {
      const r = await convergeThroughIngress(t, headers);
      expect([what, r.status]).toEqual([what, 401]);
    }
    expect(await calls(t)).toBe(0);
  });

  test("through the public hostname with the tenant's key it converges and is metered", async () => {
    const t = tenants[framework]!;
    const before = await calls(t);
    const r = await convergeThroughIngress(t, { authorization: `Bearer ${t.apiKey}` });
    expect(r.status, r.body).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ success: true, result: { converged: true } });
    expect(await calls(t)).toBe(before + 1);
  });

  test("on the loopback host port it converges without the key, as the quick reference says", async () => {
    const t = tenants[framework]!;
    const before = await calls(t);
    const res = await fetch(`http://127.0.0.1:${t.port}/api/converge`, { method: "POST", headers: { "content-type": "application/json" }, body: payload });
    expect(res.status).toBe(200);
    expect(await calls(t)).toBe(before + 1);
  });
});

describe("the API over HTTPS at https://<API_HOSTNAME>", () => {
  test("the management API answers at https://api.localhost on the ingress's port, with a certificate from Caddy's CA", async () => {
    expect(stack.config.API_HOSTNAME).toBe("api.localhost");
    const list = await answers(`${apiBase}/api/v1/tenant?org_id=${org.id}`, 200, { headers: { authorization: `Bearer ${org.token}` } });
    expect(
      JSON.parse(list.body)
        .tenants.map((t: { envId: number }) => t.envId)
        .sort(),
    ).toEqual(
      Object.values(tenants)
        .map((t) => t.envId)
        .sort(),
    );
    expect(list.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
    for (const path of ["/openapi.json", "/docs", "/app/"]) {
      const r = await httpsGet(`${apiBase}${path}`, ca);
      expect([path, r.status]).toEqual([path, 200]);
    }
  });

  test("a sign-in over HTTPS sets Secure session cookies and Strict-Transport-Security", async () => {
    const r = await httpsRequest(`${apiBase}/api/v1/auth/session`, ca, { method: "POST", headers: { authorization: `Bearer ${org.token}` } });
    expect(r.status, r.body).toBe(200);
    const cookies = r.headers["set-cookie"] ?? [];
    expect(cookies.map((c) => c.split("=")[0]).sort()).toEqual(["cvg_csrf", "cvg_session"]);
    for (const c of cookies) expect(c).toMatch(/;\s*Secure/i);
    expect(r.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
  });

  test("the same sign-in over plain HTTP sets no HSTS and no Secure cookie, even when a client that is not the ingress claims HTTPS", async () => {
    const signIn = async (base: string, headers: Record<string, string> = {}): Promise<Reply> => {
      const res = await fetch(`${base}/api/v1/auth/session`, { method: "POST", headers: { authorization: `Bearer ${org.token}`, ...headers } });
      return {
        status: res.status,
        headers: { "set-cookie": res.headers.getSetCookie(), "strict-transport-security": res.headers.get("strict-transport-security") ?? undefined },
        body: await res.text(),
      };
    };
    const plain = await signIn(stack.url);
    const forged = await signIn(`http://${hostIp}:${stack.config.PORT}`, { "x-forwarded-proto": "https" });
    for (const [what, r] of [
      ["plain", plain],
      ["forged X-Forwarded-Proto", forged],
    ] as const) {
      expect([what, r.status]).toEqual([what, 200]);
      expect([what, r.headers["strict-transport-security"]]).toEqual([what, undefined]);
      expect(r.headers["set-cookie"]).toHaveLength(2);
      for (const c of r.headers["set-cookie"]!) expect([what, c]).not.toEqual([what, expect.stringMatching(/;\s*Secure/i)]);
    }
  });

  test("the operations listener's /metrics and /admin/queues are not reachable through the HTTPS hostname", async () => {
    await answers(`${apiBase}/openapi.json`, 200);
    expect((await fetch(`${stack.opsUrl}/metrics`)).status).toBe(200); // they are served, on the operations listener
    for (const path of ["/metrics", "/admin/queues", "/admin/queues/api/queues"]) {
      const r = await httpsGet(`${apiBase}${path}`, ca);
      expect([path, r.status]).toEqual([path, 404]);
      expect(r.body).not.toMatch(/# (HELP|TYPE)/);
      expect(JSON.parse(r.body)).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
    }
  });
});
