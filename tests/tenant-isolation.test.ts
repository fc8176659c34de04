/**
 * Tenant networking through the real API and worker: tenants the platform spawned are isolated
 * from each other and from the operations endpoints, still reach the master's convergence
 * endpoint, and answer at their HTTPS hostname through Caddy while ready or unhealthy, and no
 * more once destroyed or failed. Probes run inside the tenants (`docker exec` through dockerode).
 * The stack's Caddy is a private one, so it can be stopped and restarted empty.
 */
import { createServer } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { tenantUrl } from "../shared/ingress/hostname.js";
import { httpsGet } from "./helpers/https.js";
import { startPrivateCaddy, type PrivateCaddy } from "./helpers/private-caddy.js";
import { startReceiver } from "./helpers/receiver.js";
import { freePort, networkOwner, spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";
import { execIn, outcomes, probeFrom, type ProbeTarget } from "./helpers/tenants.js";

const RECONCILE_INTERVAL_MS = 2_000;

let caddy: PrivateCaddy;
let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let workerMetricsPort: number;
let orgA: { id: number; token: string };
let orgB: { id: number; token: string };
/** Both named "shop", in two organisations. */
let a: Tenant;
let b: Tenant;
let ca: string;

interface Tenant {
  envId: number;
  port: number;
  url: string;
  containerName: string;
  apiKey: string;
}

const hostIp = Object.entries(networkInterfaces())
  .filter(([name]) => !/^(lo|docker|br-|veth|cvg)/.test(name))
  .flatMap(([, addrs]) => addrs ?? [])
  .find((x) => x.family === "IPv4" && !x.internal)?.address;

/** The IPv6 link-local address (EUI-64) an interface with this MAC gets when IPv6 is on. */
function linkLocal(mac: string): string {
  const b = mac.split(":").map((x) => parseInt(x, 16));
  const words = [((b[0]! ^ 2) << 8) | b[1]!, (b[2]! << 8) | 0xff, (0xfe << 8) | b[3]!, (b[4]! << 8) | b[5]!];
  return `fe80::${words.map((w) => w.toString(16)).join(":")}`;
}

async function spawnReady(org: { token: string }, body: Record<string, unknown>): Promise<Tenant> {
  const res = await spawnViaApi(stack, org.token, body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const ready = await waitForStatus(stack, org.token, res.body.tenant.envId, ["ready", "failed"]);
  expect(ready.status, ready.error).toBe("ready");
  return { envId: ready.envId, port: ready.port, url: ready.url, containerName: ready.containerName, apiKey: res.body.tenant.apiKey };
}

async function caCertificate(): Promise<string> {
  const res = await fetch(`${caddy.adminUrl}/pki/ca/local`);
  return ((await res.json()) as { root_certificate: string }).root_certificate;
}

const get = (url: string) => httpsGet(url, ca);

/** The tenant's address on its network, and that network's gateway (host.docker.internal inside it). */
async function addressOf(containerName: string): Promise<{ ip: string; gateway: string }> {
  const info = await networkOwner(stack.docker, containerName);
  const [net] = Object.values(info.NetworkSettings.Networks ?? {});
  return { ip: net!.IPAddress, gateway: net!.Gateway };
}

beforeAll(async () => {
  expect(hostIp, "a non-loopback IPv4 address on this host").toBeTruthy();
  caddy = await startPrivateCaddy();
  receiver = await startReceiver();
  workerMetricsPort = await freePort();
  stack = await startStack("isolation", {
    CADDY_ADMIN_URL: caddy.adminUrl,
    WORKER_METRICS_PORT: String(workerMetricsPort),
    RECONCILE_INTERVAL_MS: String(RECONCILE_INTERVAL_MS),
    HEALTH_INTERVAL_MS: "700",
    HEALTH_FAILURE_THRESHOLD: "2",
    // An exited container fails its tenant on the first sweep that sees it.
    HEALTH_MAX_RESTARTS: "0",
    WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
    WEBHOOK_BACKOFF_MS: "200",
  });
  [orgA, orgB] = [await stack.newOrg("isolation-a"), await stack.newOrg("isolation-b")];
  [a, b] = await Promise.all([spawnReady(orgA, { name: "shop", webhookUrl: receiver.url }), spawnReady(orgB, { name: "shop" })]);
  ca = await caCertificate();
});

afterAll(async () => {
  await stack?.stop(); // removes every container the stack's organisations still have
  await receiver?.close();
  await caddy?.destroy();
});

describe("HTTPS hostnames through the ingress", () => {
  test("two tenants named alike in two organisations get their own hostnames, each serving its own app from the moment it is ready", async () => {
    expect(a.url).toBe(`https://shop-${a.envId}.localhost:${stack.config.INGRESS_HTTPS_PORT}`);
    expect(b.url).toBe(tenantUrl(stack.config, { name: "shop", envId: b.envId }));
    expect(a.url).not.toBe(b.url);
    // No waiting: a client that saw `ready` can use the URL at once.
    const [pageA, pageB] = [await get(`${a.url}/`), await get(`${b.url}/`)];
    expect(pageA.status).toBe(200);
    expect(pageA.body).toContain(`Tenant tenant_${a.envId} of organisation ${orgA.id}`);
    expect(pageB.body).toContain(`Tenant tenant_${b.envId} of organisation ${orgB.id}`);
    // The host port keeps working too.
    expect((await fetch(`http://127.0.0.1:${a.port}/health`)).status).toBe(200);
    const listed = await stack.api(`/api/v1/tenant?org_id=${orgA.id}`, { token: orgA.token });
    expect(listed.body.tenants.find((t: { envId: number }) => t.envId === a.envId).url).toBe(a.url);
  });

  test("the tenant.ready webhook carries the HTTPS URL", async () => {
    const ready = await waitFor(async () => receiver.events().find((e) => e.json.type === "tenant.ready" && e.json.data.envId === a.envId), {
      timeoutMs: 30_000,
      what: "tenant.ready for A",
    });
    expect(ready.json.data.url).toBe(a.url);
    expect(ready.json.data.port).toBe(a.port);
  });

  test("an unhealthy tenant is still routed; a failed one answers 404, as does a destroyed one", async () => {
    const f = await spawnReady(orgA, { name: "flaky", framework: "switch" });
    expect((await get(`${f.url}/`)).body).toContain(`Tenant tenant_${f.envId}`);

    await fetch(`http://127.0.0.1:${f.port}/break`, { method: "POST" });
    await waitForStatus(stack, orgA.token, f.envId, ["unhealthy"], 30_000);
    const whileUnhealthy = await get(`${f.url}/`);
    expect(whileUnhealthy.status).toBe(200);
    expect(whileUnhealthy.body).toContain(`Tenant tenant_${f.envId}`);

    await fetch(`http://127.0.0.1:${f.port}/exit`, { method: "POST" });
    const failed = await waitForStatus(stack, orgA.token, f.envId, ["failed"], 30_000);
    expect(failed.url).toBeNull();
    // No waiting: the route went before the tenant was reported failed.
    const afterFailure = await get(`${f.url}/`);
    expect(afterFailure.status).toBe(404);
    expect(JSON.parse(afterFailure.body).error.code).toBe("NOT_FOUND");

    const d = await spawnReady(orgB, { name: "doomed" });
    expect((await get(`${d.url}/health`)).status).toBe(200);
    await stack.api(`/api/v1/tenant/${d.envId}`, { method: "DELETE", token: orgB.token });
    const destroyed = await waitForStatus(stack, orgB.token, d.envId, ["destroyed"], 30_000);
    expect(destroyed.url).toBeNull();
    expect((await get(`${d.url}/health`)).status).toBe(404);
    // The others are untouched.
    expect((await get(`${a.url}/health`)).status).toBe(200);
  });

  test("a Caddy that was down holds no tenant back, and once back (empty) gets every route within one reconcile interval", async () => {
    await caddy.stop();
    try {
      const e = await spawnReady(orgA, { name: "while-down" });
      expect((await fetch(`http://127.0.0.1:${e.port}/health`)).status).toBe(200);
      await expect(get(`${e.url}/`)).rejects.toThrow(/ECONNREFUSED/);
      await caddy.start();
      // Back from its bootstrap file, nothing persisted. (Not checked empty: a reconcile round may
      // already have written the routes by the time it is asked, 2 s rounds being the point here.)
      expect(((await caddy.config()) as { admin?: unknown }).admin).toEqual({ config: { persist: false }, listen: expect.any(String) });
      ca = await waitFor(async () => caCertificate().catch(() => null), { timeoutMs: 10_000, what: "Caddy's CA" });
      // A deadline on behaviour: the next round is at most one interval away, plus the round itself.
      await waitFor(
        async () => {
          const replies = await Promise.all([a, b, e].map((t) => get(`${t.url}/`).catch(() => null)));
          return replies.every((r) => r?.status === 200);
        },
        { timeoutMs: 2 * RECONCILE_INTERVAL_MS, intervalMs: 100, what: "every route back after Caddy restarted empty" },
      );
      expect((await get(`${e.url}/`)).body).toContain(`Tenant tenant_${e.envId} of organisation ${orgA.id}`);
    } finally {
      await caddy.start().catch(() => {}); // already running unless an assertion failed while it was down
    }
  });
});

describe("isolation from inside a tenant", () => {
  test("another tenant cannot be reached, by IP or by name, on any of its addresses and ports", async () => {
    // The name Docker's DNS knows B by: its container's, or that of the warm network it joined.
    const bName = (await networkOwner(stack.docker, b.containerName)).Name.replace(/^\//, "");
    const [{ ip: bIp, gateway }, docker0] = [await addressOf(b.containerName), (await stack.docker.getNetwork("bridge").inspect()).IPAM?.Config?.[0]?.Gateway ?? "172.17.0.1"];
    // The targets exist: the host reaches B on its own address and on its published port.
    expect((await fetch(`http://${bIp}:3000/health`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${b.port}/health`)).status).toBe(200);

    const httpsPort = stack.config.INGRESS_HTTPS_PORT;
    const targets: ProbeTarget[] = [
      { host: bIp, port: 3000, path: "/health" },
      { host: bIp, port: b.port },
      { host: bIp, port: 22 },
      { host: bIp, port: 80 },
      { host: bIp, port: 443 },
      { host: bName, port: 3000, path: "/health" },
      { host: gateway, port: b.port },
      { host: docker0, port: b.port },
      { host: hostIp!, port: b.port },
      { host: "host.docker.internal", port: b.port },
      // Nor through the ingress on the host (a tenant's connections to the host end at the master's port).
      { host: gateway, port: httpsPort },
      { host: hostIp!, port: httpsPort },
      { host: "127.0.0.1", port: 3000 },
    ];
    const results = await probeFrom(stack.docker, a.containerName, targets);
    const self = results.pop()!;
    expect(self.outcome, "A reaches its own app").toBe("connected");
    expect(results.find((r) => r.host === bName)?.address, "Docker's DNS resolves B's name").toBe(bIp);
    for (const r of results) expect(r.outcome, JSON.stringify(outcomes(results))).not.toBe("connected");

    const { ip: aIp } = await addressOf(a.containerName);
    const aName = (await networkOwner(stack.docker, a.containerName)).Name.replace(/^\//, "");
    const back = await probeFrom(stack.docker, b.containerName, [
      { host: aIp, port: 3000 },
      { host: aName, port: 3000 },
      { host: "host.docker.internal", port: a.port },
    ]);
    for (const r of back) expect(r.outcome, JSON.stringify(outcomes(back))).not.toBe("connected");
  });

  test("the operations endpoints cannot be reached, and the API port a tenant may open serves no metrics or dashboard", async () => {
    const { gateway } = await addressOf(a.containerName);
    const docker0 = (await stack.docker.getNetwork("bridge").inspect()).IPAM?.Config?.[0]?.Gateway ?? "172.17.0.1";
    const opsPort = Number(new URL(stack.opsUrl).port);
    const caddyAdminPort = Number(new URL(caddy.adminUrl).port);
    const apiPort = stack.config.PORT;
    // They exist: the host reaches them.
    expect((await fetch(`${stack.opsUrl}/metrics`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).status).toBe(200);

    const targets: ProbeTarget[] = [];
    for (const host of ["host.docker.internal", gateway, docker0, hostIp!, "127.0.0.1"]) {
      for (const port of [opsPort, workerMetricsPort, caddyAdminPort]) targets.push({ host, port });
    }
    const results = await probeFrom(stack.docker, a.containerName, [
      { host: "host.docker.internal", port: apiPort, path: "/metrics" },
      { host: "host.docker.internal", port: apiPort, path: "/admin/queues" },
      ...targets,
    ]);
    const [metrics, dashboard, ...blocked] = results;
    expect(metrics!.outcome).toBe("connected");
    expect(metrics!.response).toMatch(/^HTTP\/1\.[01] 404/);
    expect(dashboard!.response).toMatch(/^HTTP\/1\.[01] 404/);
    for (const r of blocked) expect(r.outcome, JSON.stringify(outcomes(blocked))).not.toBe("connected");
  });

  test("a tenant has no IPv6: no address inside, and no connection to another tenant's or the host's IPv6 addresses", async () => {
    // Where its network namespace is made (its own container, or a warm network's holder), IPv6 is off; its network has none.
    const owner = await networkOwner(stack.docker, a.containerName);
    expect(owner.HostConfig.Sysctls).toMatchObject({ "net.ipv6.conf.all.disable_ipv6": "1" });
    const [netName] = Object.entries(owner.NetworkSettings.Networks ?? {})[0]!;
    expect((await stack.docker.getNetwork(netName).inspect()).EnableIPv6).toBe(false);
    // Targets: the link-local address B would have on the shared bridge (EUI-64 of its MAC; ICC off is IPv4 only),
    // the bridge's own link-local address, and every IPv6 address of the host, on a port listening on all of them.
    const bMac = Object.values((await networkOwner(stack.docker, b.containerName)).NetworkSettings.Networks ?? {})[0]!.MacAddress;
    const bridge = (await stack.docker.getNetwork(netName).inspect()).Options?.["com.docker.network.bridge.name"];
    const bridgeV6 = Object.entries(networkInterfaces())
      .filter(([name]) => name === bridge)
      .flatMap(([, addrs]) => addrs ?? [])
      .find((x) => x.family === "IPv6")
      ?.address.split("%")[0];
    const hostV6 = Object.values(networkInterfaces())
      .flat()
      .filter((x) => x && x.family === "IPv6")
      .map((x) => x!.address.split("%")[0]!);
    const listener = createServer((sock) => sock.end("host service"));
    await new Promise<void>((r) => listener.listen(0, "::", r));
    try {
      const port = (listener.address() as { port: number }).port;
      const targets: Array<[string, number]> = [
        [`${linkLocal(bMac)}%eth0`, 3000],
        ...(bridgeV6 ? [[`${bridgeV6}%eth0`, port] as [string, number]] : []),
        ...hostV6.map((h) => [h, port] as [string, number]),
      ];
      const probe = `
        const fs = require("fs"), net = require("net");
        const addrs = fs.existsSync("/proc/net/if_inet6") ? fs.readFileSync("/proc/net/if_inet6", "utf8").trim() : "";
        const disabled = fs.readFileSync("/proc/sys/net/ipv6/conf/all/disable_ipv6", "utf8").trim();
        const dial = ([host, port]) => new Promise((done) => {
          const s = net.connect({ host, port, family: 6, timeout: 1500 });
          s.on("connect", () => { s.destroy(); done([host, "connected"]); });
          s.on("timeout", () => { s.destroy(); done([host, "timeout"]); });
          s.on("error", (e) => done([host, e.code]));
        });
        Promise.all(${JSON.stringify(targets)}.map(dial)).then((dials) => console.log(JSON.stringify({ addrs, disabled, dials })));`;
      const seen = JSON.parse((await execIn(stack.docker, a.containerName, ["node", "-e", probe])).stdout) as { addrs: string; disabled: string; dials: Array<[string, string]> };
      expect(seen.addrs).toBe("");
      expect(seen.disabled).toBe("1");
      expect(seen.dials.length).toBeGreaterThan(1);
      expect(seen.dials.filter(([, outcome]) => outcome === "connected")).toEqual([]);
    } finally {
      listener.close();
    }
  });

  test("POST $CONVERGENCE_API_URL/converge with the tenant's own key answers 200", async () => {
    const script = `
      const { CONVERGENCE_API_URL: url, CONVERGENCE_API_KEY: key } = process.env;
      fetch(url + "/converge", {
        method: "POST",
        headers: { authorization: "Bearer " + key, "content-type": "application/json" },
        body: JSON.stringify({ prompt: "Design a cache", agentARole: "Architect", agentBRole: "Reviewer" }),
        signal: AbortSignal.timeout(20000),
      }).then(async (r) => process.stdout.write(JSON.stringify({ url, status: r.status, body: await r.json() })),
              (e) => process.stdout.write(JSON.stringify({ url, error: String(e.cause?.code ?? e) })));`;
    const { stdout } = await execIn(stack.docker, a.containerName, ["node", "-e", script]);
    const answer = JSON.parse(stdout) as { url: string; status?: number; body?: { success: boolean; result: { converged: boolean } }; error?: string };
    expect(answer.url).toBe(`http://host.docker.internal:${stack.config.PORT}/api/v1`);
    expect(answer.error).toBeUndefined();
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: true, result: { converged: true } });
    // Metered to A, the tenant whose key it was.
    const usage = await stack.api(`/api/v1/usage?org_id=${orgA.id}&tenant_id=tenant_${a.envId}`, { token: orgA.token });
    expect(usage.body.tenants).toEqual([expect.objectContaining({ tenantId: `tenant_${a.envId}`, calls: 1 })]);
  });
});
