/**
 * The ingress driver against real Caddy and real tenant containers (driven straight through the
 * runtime): HTTPS per tenant hostname, 404 for every other name, redirects, sync, and a Caddy
 * restarted empty. Most tests use the Caddy this machine shares (own server objects, own free
 * high ports); the restart uses a private Caddy of the test's own.
 */
import Docker from "dockerode";
import { readdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseConfig, type Config } from "../shared/config.js";
import { CaddyIngress } from "../shared/ingress/caddy/index.js";
import { tenantHostname, tenantRoute, tenantUrl } from "../shared/ingress/hostname.js";
import type { IngressRoute } from "../shared/ingress/types.js";
import { DockerRuntime } from "../shared/runtime/docker/index.js";
import { labelKeys } from "../shared/runtime/types.js";
import { TemplateRegistry } from "../shared/templates.js";
import { httpGet, httpsGet, httpsRequest } from "./helpers/https.js";
import { startPrivateCaddy, type PrivateCaddy } from "./helpers/private-caddy.js";
import { startTcpProxy } from "./helpers/tcp-proxy.js";
import { TEST_OWNER, freePort, testEnv, waitFor } from "./helpers/stack.js";
import { freeSubnet, startTenant, type TestTenant } from "./helpers/tenants.js";

const owner = `${TEST_OWNER}-ingress`;
const base: Config = parseConfig({ ...testEnv(), CONVERGENCE_INSTANCE: owner });
const docker = new Docker({ socketPath: base.DOCKER_SOCKET });

let config: Config;
let runtime: DockerRuntime;
let ingress: CaddyIngress;
let other: CaddyIngress;
let ca: string;
let shopA: TestTenant;
let shopB: TestTenant;
const tenantsByEnvId = new Map<number, TestTenant>();

const ingressFor = (adminUrl: string, who: string, c: Pick<Config, "INGRESS_HTTPS_PORT" | "INGRESS_HTTP_PORT">) =>
  new CaddyIngress({ adminUrl, owner: who, domain: "localhost", httpsPort: c.INGRESS_HTTPS_PORT, httpPort: c.INGRESS_HTTP_PORT });
const routeOf = (t: TestTenant, name = "shop") => tenantRoute(config, { name, envId: t.envId, port: t.hostPort });
const urlOf = (t: TestTenant, name = "shop") => tenantUrl(config, { name, envId: t.envId });

async function removeEverythingOwned() {
  // An aborted run's Caddy servers (ports do not matter for removal).
  for (const who of [owner, `${owner}-other`]) await ingressFor(base.CADDY_ADMIN_URL, who, base).removeAll();
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`${labelKeys.owner}=${owner}`] } });
  await Promise.all(
    leftovers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
  await new DockerRuntime({ socketPath: base.DOCKER_SOCKET, owner }).removeUnusedNetworks({ includeCurrent: true });
}

/** Waits until `url` answers through the ingress with `status` (route changes take Caddy a moment to load). */
async function expectThroughIngress(url: string, status: number, cert = () => ca) {
  return waitFor(
    async () => {
      const r = await httpsGet(url, cert());
      return r.status === status ? r : null;
    },
    { timeoutMs: 15_000, intervalMs: 200, what: `${url} to answer ${status}` },
  );
}

beforeAll(async () => {
  await removeEverythingOwned();
  const [httpsPort, httpPort] = [await freePort(), await freePort()];
  config = parseConfig({ ...testEnv(), CONVERGENCE_INSTANCE: owner, INGRESS_HTTPS_PORT: String(httpsPort), INGRESS_HTTP_PORT: String(httpPort) });
  runtime = new DockerRuntime({
    socketPath: config.DOCKER_SOCKET,
    owner,
    network: { subnet: await freeSubnet(docker), egress: "public", masterPorts: [], deny: [], dnsServers: [] },
  });
  const template = new TemplateRegistry(config.TEMPLATES_DIR).get("node", "express")!;
  const image = await runtime.ensureImage(template, config.TENANT_BASE_IMAGE);
  // Two tenants with the same name in two organisations.
  [shopA, shopB] = await Promise.all([
    startTenant(runtime, image, { name: `${owner}-101`, envId: 101, orgId: 1, owner, tenantName: "shop" }),
    startTenant(runtime, image, { name: `${owner}-102`, envId: 102, orgId: 2, owner, tenantName: "shop" }),
  ]);
  for (const t of [shopA, shopB]) tenantsByEnvId.set(t.envId, t);
  ingress = ingressFor(config.CADDY_ADMIN_URL, owner, config);
  await ingress.ensure();
  ca = (await ingress.caCertificate())!;
});

afterAll(async () => {
  await removeEverythingOwned();
});

describe("tenant hostnames", () => {
  test("a tenant answers at https://<name>-<envId>.localhost on the ingress's port, with a certificate from Caddy's CA", async () => {
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    await ingress.upsertRoute(routeOf(shopA));
    expect(urlOf(shopA)).toBe(`https://shop-101.localhost:${config.INGRESS_HTTPS_PORT}`);
    const page = await expectThroughIngress(`${urlOf(shopA)}/`, 200);
    expect(page.body).toContain("Tenant tenant_101 of organisation 1");
    expect((await httpsGet(`${urlOf(shopA)}/health`, ca)).body).toContain('"tenant":"tenant_101"');
  });

  test("two tenants named alike in two organisations get different hostnames, each serving its own app", async () => {
    await ingress.upsertRoute(routeOf(shopB));
    expect(urlOf(shopB)).not.toBe(urlOf(shopA));
    const b = await expectThroughIngress(`${urlOf(shopB)}/`, 200);
    expect(b.body).toContain("Tenant tenant_102 of organisation 2");
    expect((await httpsGet(`${urlOf(shopA)}/`, ca)).body).toContain("Tenant tenant_101 of organisation 1");
  });

  test("plain HTTP on the ingress's HTTP port redirects to the same URL on HTTPS", async () => {
    const r = await httpGet(`http://shop-101.localhost:${config.INGRESS_HTTP_PORT}/health?x=1`);
    expect(r.status).toBe(308);
    expect(r.headers.location).toBe(`${urlOf(shopA)}/health?x=1`);
  });

  test("a hostname no tenant has gets 404 over valid TLS, never a tenant's app", async () => {
    for (const host of ["nobody-999.localhost", "shop-101x.localhost", "localhost"]) {
      const r = await httpsGet(`https://${host}:${config.INGRESS_HTTPS_PORT}/`, ca);
      expect(r.status, host).toBe(404);
      expect(JSON.parse(r.body)).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
    }
  });

  test("a route added twice is one route; a changed upstream replaces it", async () => {
    await ingress.upsertRoute(routeOf(shopA));
    expect((await ingress.listRoutes()).filter((r) => r.envId === shopA.envId)).toHaveLength(1);
    // Point 101's hostname at 102's app, then back.
    await ingress.upsertRoute({ ...routeOf(shopA), upstream: routeOf(shopB).upstream });
    expect((await expectThroughIngress(`${urlOf(shopA)}/health`, 200)).body).toContain("tenant_102");
    await ingress.upsertRoute(routeOf(shopA));
    await waitFor(async () => (await httpsGet(`${urlOf(shopA)}/health`, ca)).body.includes("tenant_101"), { timeoutMs: 10_000, what: "101 back on its app" });
    expect((await ingress.listRoutes()).map((r) => r.envId).sort()).toEqual([101, 102]);
  });

  test("a removed tenant's hostname answers 404 and the other tenant keeps answering", async () => {
    await ingress.removeRoute(shopA.envId);
    expect((await expectThroughIngress(`${urlOf(shopA)}/`, 404)).body).toContain("NOT_FOUND");
    expect((await httpsGet(`${urlOf(shopB)}/`, ca)).status).toBe(200);
    await ingress.removeRoute(shopA.envId); // already gone: a no-op
  });

  test("a long name still gives a valid hostname label that keeps the envId", () => {
    const host = tenantHostname("a".repeat(63), 123456, "localhost");
    const label = host.split(".")[0]!;
    expect(label.length).toBeLessThanOrEqual(63);
    expect(label.endsWith("-123456")).toBe(true);
    expect(tenantHostname("shop", 1, "apps.example.com")).toBe("shop-1.apps.example.com");
    expect(tenantUrl({ TENANT_DOMAIN: "apps.example.com", INGRESS_HTTPS_PORT: 443 }, { name: "shop", envId: 1 })).toBe("https://shop-1.apps.example.com");
  });
});

describe("sync", () => {
  test("sync makes this instance's routes exactly the desired ones and leaves other instances alone", async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    other = ingressFor(config.CADDY_ADMIN_URL, `${owner}-other`, { INGRESS_HTTPS_PORT: p1, INGRESS_HTTP_PORT: p2 });
    const foreign: IngressRoute = { envId: 7, hostname: "foreign-7.localhost", upstream: routeOf(shopB).upstream };
    await other.upsertRoute(foreign);
    await expectThroughIngress(`https://foreign-7.localhost:${p1}/`, 200);

    const first = await ingress.sync(async () => ({ routes: [routeOf(shopA)] }));
    expect(first).toEqual({ added: [101], updated: [], removed: [102] });
    await expectThroughIngress(`${urlOf(shopA)}/`, 200);
    await expectThroughIngress(`${urlOf(shopB)}/`, 404);
    expect((await httpsGet(`https://foreign-7.localhost:${p1}/`, ca)).status).toBe(200);
    expect(await other.listRoutes()).toEqual([foreign]);

    expect(await ingress.sync(async () => ({ routes: [routeOf(shopA)] }))).toEqual({ added: [], updated: [], removed: [] });
    expect(await ingress.sync(async () => ({ routes: [routeOf(shopA), routeOf(shopB)] }))).toEqual({ added: [102], updated: [], removed: [] });
    await expectThroughIngress(`${urlOf(shopB)}/`, 200);
  });

  test("sync leaves the routes it is told to keep as they are, and removes the rest", async () => {
    // 102 is being provisioned again (kept, not re-added if it had none); 101 is routable.
    expect(await ingress.sync(async () => ({ routes: [routeOf(shopA)], keep: [shopB.envId] }))).toEqual({ added: [], updated: [], removed: [] });
    expect((await ingress.listRoutes()).map((r) => r.envId).sort()).toEqual([101, 102]);
    await ingress.removeRoute(shopB.envId);
    expect(await ingress.sync(async () => ({ routes: [routeOf(shopA)], keep: [shopB.envId] }))).toEqual({ added: [], updated: [], removed: [] });
    expect((await ingress.listRoutes()).map((r) => r.envId)).toEqual([101]);
    await ingress.upsertRoute(routeOf(shopB));
  });

  test("a route removed while sync was reading what to write is not written back", async () => {
    // A second client (another worker destroying 102) removes the route after sync has read
    // Caddy's routes and while it reads Postgres; what it read then still says 102 is routable
    // (and that 103, a new tenant, is).
    const concurrent = ingressFor(config.CADDY_ADMIN_URL, owner, config);
    const newcomer: IngressRoute = { ...routeOf(shopA), envId: 103, hostname: "new-103.localhost" };
    let reads = 0;
    const result = await ingress.sync(async () => {
      reads++;
      if (reads === 1) {
        await concurrent.removeRoute(shopB.envId);
        return { routes: [routeOf(shopA), routeOf(shopB), newcomer] };
      }
      return { routes: [routeOf(shopA), newcomer] };
    });
    expect(reads).toBe(2);
    expect(result).toEqual({ added: [103], updated: [], removed: [] });
    expect((await ingress.listRoutes()).map((r) => r.envId)).toEqual([101, 103]);
    await expectThroughIngress(`${urlOf(shopB)}/`, 404);
    await ingress.removeRoute(103);
    await ingress.upsertRoute(routeOf(shopB));
  });

  test("an admin call whose connection is reset is sent again on a new one; one that keeps being reset fails saying so", async () => {
    const proxy = await startTcpProxy(config.CADDY_ADMIN_URL, { asTarget: true });
    try {
      const through = ingressFor(proxy.url, owner, config);
      proxy.resetNext(2);
      expect(await through.caCertificate()).toBe(ca);
      expect(proxy.connections).toBe(3);
      expect((await through.listRoutes()).map((r) => r.envId).sort()).toEqual((await ingress.listRoutes()).map((r) => r.envId).sort());

      proxy.resetNext(100);
      const before = proxy.connections;
      await expect(through.caCertificate()).rejects.toThrow(new RegExp(`Caddy's admin API at ${proxy.url} is unreachable: \\w+ ECONNRESET`));
      expect(proxy.connections - before).toBe(4);
    } finally {
      await proxy.close();
    }
  });

  describe("with a private Caddy", () => {
    let caddy: PrivateCaddy | undefined;
    afterAll(async () => caddy?.destroy());

    test("a Caddy restarted empty gets every route back from one sync, and the host's trust store is left alone", async () => {
      const trustBefore = readdirSync("/usr/local/share/ca-certificates");
      caddy = await startPrivateCaddy();
      const [p1, p2] = [await freePort(), await freePort()];
      const own = ingressFor(caddy.adminUrl, owner, { INGRESS_HTTPS_PORT: p1, INGRESS_HTTP_PORT: p2 });
      const routes = [shopA, shopB].map((t) => routeOf(t));
      await own.sync(async () => ({ routes }));
      let privateCa = (await own.caCertificate())!;
      for (const t of [shopA, shopB]) await expectThroughIngress(`https://shop-${t.envId}.localhost:${p1}/`, 200, () => privateCa);

      await caddy.restartEmpty();
      expect(await caddy.config()).toEqual({ admin: { config: { persist: false }, listen: expect.any(String) } });
      await expect(httpsGet(`https://shop-101.localhost:${p1}/`, privateCa)).rejects.toThrow(/ECONNREFUSED/);

      expect(await own.sync(async () => ({ routes }))).toEqual({ added: [101, 102], updated: [], removed: [] });
      privateCa = (await own.caCertificate())!;
      for (const t of [shopA, shopB]) {
        const page = await expectThroughIngress(`https://shop-${t.envId}.localhost:${p1}/`, 200, () => privateCa);
        expect(page.body).toContain(`Tenant tenant_${t.envId}`);
      }
      expect(readdirSync("/usr/local/share/ca-certificates")).toEqual(trustBefore);
    });

    test("the API's hostname serves only the API's public paths, marked as HTTPS, and comes back with one sync after an empty restart", async () => {
      caddy ??= await startPrivateCaddy();
      // Stands in for the API: tells what Caddy forwarded.
      const api = createServer((req, res) => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ path: req.url, proto: req.headers["x-forwarded-proto"] }));
      });
      await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
      try {
        const [p1, p2] = [await freePort(), await freePort()];
        const own = new CaddyIngress({
          adminUrl: caddy.adminUrl,
          owner,
          domain: "localhost",
          httpsPort: p1,
          httpPort: p2,
          api: { hostname: "api.localhost", upstream: `127.0.0.1:${(api.address() as AddressInfo).port}` },
        });
        await own.sync(async () => ({ routes: [routeOf(shopA)] }));
        const privateCa = () => ca2;
        let ca2 = (await own.caCertificate())!;
        const check = async () => {
          for (const path of ["/api/v1/tenant?org_id=1", "/app/", "/docs", "/openapi.json"]) {
            await expectThroughIngress(`https://api.localhost:${p1}${path}`, 200, privateCa);
            // A client's own X-Forwarded-Proto never gets through: Caddy sets it.
            const r = await httpsRequest(`https://api.localhost:${p1}${path}`, ca2, { headers: { "x-forwarded-proto": "http" } });
            expect(JSON.parse(r.body)).toEqual({ path, proto: "https" });
          }
          for (const path of ["/metrics", "/admin/queues", "/healthz", "/"]) {
            const r = await httpsGet(`https://api.localhost:${p1}${path}`, ca2);
            expect([path, r.status]).toEqual([path, 404]);
            expect(JSON.parse(r.body)).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
          }
          expect((await expectThroughIngress(`https://shop-101.localhost:${p1}/health`, 200, privateCa)).body).toContain("tenant_101");
        };
        await check();
        await caddy.restartEmpty();
        expect(await own.sync(async () => ({ routes: [routeOf(shopA)] }))).toEqual({ added: [101], updated: [], removed: [] });
        ca2 = (await own.caCertificate())!;
        await check();
        expect(await own.listRoutes()).toEqual([routeOf(shopA)]); // the API's route is not a tenant's
      } finally {
        await new Promise((r) => api.close(r));
      }
    });
  });
});
