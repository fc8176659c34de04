/**
 * `npm run bench:ingress [requests per round] [concurrency] [rounds]` (default 100 1 40):
 * requests/s and p50/p99 of GET /health
 * on one tenant through the ingress (HTTPS via Caddy, hostname routing, the route the platform
 * writes: to the container's fixed address on the tenant bridge) next to the same tenant straight
 * on its host port (plain HTTP), same run, same keep-alive node:http client, in many short
 * alternating rounds so the noise of this shared machine, which drifts over seconds, hits every
 * path alike. A third row routes the same tenant through Caddy
 * to its host port (docker-proxy), the route before tenants had fixed addresses, for comparison,
 * and a fourth the platform's route to a second tenant of the same image that joined a warm
 * network (its port's holder container, as a spawn on a warm port does).
 * Caddy is a private one (tests/helpers/private-caddy.ts), as an instance's own Caddy would be:
 * the Caddy this machine shares reloads its whole configuration whenever any test stack changes
 * a route, which is not what is measured here.
 */
import Docker from "dockerode";
import http from "node:http";
import https from "node:https";
import { parseConfig } from "../shared/config.js";
import { CaddyIngress } from "../shared/ingress/caddy/index.js";
import { tenantRoute, tenantUrl } from "../shared/ingress/hostname.js";
import { DockerRuntime } from "../shared/runtime/docker/index.js";
import { TemplateRegistry } from "../shared/templates.js";
import { startPrivateCaddy } from "../tests/helpers/private-caddy.js";
import { TEST_SUBNETS, freePort, testEnv, waitFor } from "../tests/helpers/stack.js";
import { freeSubnet, freeTenantPort, startTenant } from "../tests/helpers/tenants.js";
import { load, percentile, summarise, table } from "./stats.js";

const REQUESTS = Number(process.argv[2] ?? 100);
const CONCURRENCY = Number(process.argv[3] ?? 1);
const ROUNDS = Number(process.argv[4] ?? 40);
const OWNER = "convergence-bench-ingress";

const [httpsPort, httpPort] = [await freePort(), await freePort()];
const config = parseConfig({ ...testEnv(), CONVERGENCE_INSTANCE: OWNER, INGRESS_HTTPS_PORT: String(httpsPort), INGRESS_HTTP_PORT: String(httpPort) });
const docker = new Docker({ socketPath: config.DOCKER_SOCKET });
const runtime = new DockerRuntime({
  socketPath: config.DOCKER_SOCKET,
  owner: OWNER,
  network: {
    subnet: await freeSubnet(docker, TEST_SUBNETS),
    egress: "public",
    masterPorts: [],
    deny: [],
    dnsServers: [],
    // startTenant leases from this worktree's test range: the tenant gets the address of its port.
    portRange: { min: Number(process.env.TEST_PORT_MIN ?? 4001), max: Number(process.env.TEST_PORT_MAX ?? 4999) },
  },
});
const caddy = await startPrivateCaddy();
const ingress = new CaddyIngress({ adminUrl: caddy.adminUrl, owner: OWNER, domain: config.TENANT_DOMAIN, httpsPort, httpPort });
const name = `${OWNER}-1`;
const warmName = `${OWNER}-3`;
let holder: string | undefined;

try {
  const template = new TemplateRegistry(config.TEMPLATES_DIR).get("node", "express")!;
  const image = await runtime.ensureImage(template, config.TENANT_BASE_IMAGE);
  const tenant = await startTenant(runtime, image, { name, envId: 1, orgId: 1, owner: OWNER, tenantName: "bench" });
  // As the worker keeps one warm: a holder on the port, which the tenant created on it joins.
  const warm = runtime.warmNetworks!;
  const warmPort = await freeTenantPort();
  await warm.add({ hostPort: warmPort, containerPort: template.containerPort, bindHost: "127.0.0.1", image, stillFree: async () => true });
  holder = (await warm.list()).find((h) => h.hostPort === warmPort)?.name;
  if (!holder) throw new Error(`no holder on port ${warmPort} after adding one`);
  await startTenant(runtime, image, { name: warmName, envId: 3, orgId: 1, owner: OWNER, tenantName: "bench-warm", hostPort: warmPort });
  const warmInfo = await runtime.inspect(warmName);
  if (!(await docker.getContainer(warmName).inspect()).HostConfig.NetworkMode?.startsWith("container:")) throw new Error("the second tenant did not join its port's holder");
  await ingress.ensure();
  // The platform's route (as provisioning and the reconciler write it), and the earlier one.
  const route = tenantRoute(config, { name: "bench", envId: 1, port: tenant.hostPort }, await runtime.inspect(name));
  if (!route.upstream.endsWith(":3000")) throw new Error(`expected a route to the container's own address, got ${route.upstream}`);
  await ingress.upsertRoute(route);
  await ingress.upsertRoute(tenantRoute(config, { name: "bench-port", envId: 2, port: tenant.hostPort }));
  const warmRoute = tenantRoute(config, { name: "bench-warm", envId: 3, port: warmPort }, warmInfo);
  await ingress.upsertRoute(warmRoute);
  const ca = (await ingress.caCertificate()) ?? undefined;
  const url = new URL(tenantUrl(config, { name: "bench", envId: 1 }));
  const url2 = new URL(tenantUrl(config, { name: "bench-port", envId: 2 }));
  const url3 = new URL(tenantUrl(config, { name: "bench-warm", envId: 3 }));

  const direct = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const viaIngress = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
  const get = (mod: typeof http | typeof https, options: https.RequestOptions) => {
    const once = (): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const req = mod.get({ ...options, path: "/health" }, (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`answered ${res.statusCode}`))));
        });
        req.on("error", (err: NodeJS.ErrnoException) => {
          // A kept-alive socket the server closed (idle timeout, while other paths ran) just as
          // it was reused: send again on a new one, as Node's documentation recommends.
          if (req.reusedSocket && err.code === "ECONNRESET") once().then(resolve, reject);
          else reject(err);
        });
      });
    return once;
  };
  const viaIngress2 = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
  const viaIngress3 = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
  const paths = {
    [`ingress (HTTPS, Caddy → ${route.upstream})`]: get(https, { host: "127.0.0.1", port: httpsPort, servername: url.hostname, headers: { host: url.host }, agent: viaIngress }),
    "direct (HTTP, host port)": get(http, { host: "127.0.0.1", port: tenant.hostPort, agent: direct }),
    "before: ingress (HTTPS, Caddy → host port)": get(https, { host: "127.0.0.1", port: httpsPort, servername: url2.hostname, headers: { host: url2.host }, agent: viaIngress2 }),
    [`warm network: ingress (HTTPS, Caddy → ${warmRoute.upstream})`]: get(https, {
      host: "127.0.0.1",
      port: httpsPort,
      servername: url3.hostname,
      headers: { host: url3.host },
      agent: viaIngress3,
    }),
  };

  // The first handshake for a name makes its certificate (on demand), a moment after the config loads.
  for (const fn of Object.values(paths)) await waitFor(() => fn().then(() => true), { timeoutMs: 15_000, what: "the first answer" });
  for (const fn of Object.values(paths)) for (let i = 0; i < 300; i++) await fn(); // warm-up: JIT, TLS sessions, pools
  const results = Object.fromEntries(Object.keys(paths).map((k) => [k, { rps: [] as number[], latencies: [] as number[] }]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, fn] of Object.entries(paths)) {
      const { rps, latencies } = await load(fn, REQUESTS, CONCURRENCY);
      results[k]!.rps.push(rps);
      results[k]!.latencies.push(...latencies);
    }
  }
  const rows = Object.entries(results).map(([path, { rps, latencies }]) => {
    const s = summarise(latencies);
    // Every request of every round over the time they took together.
    const seconds = rps.reduce((sum, r) => sum + REQUESTS / r, 0);
    return { path, "req/s": Math.round((REQUESTS * rps.length) / seconds), "p50 ms": s.p50, "p99 ms": s.p99, "max ms": s.max };
  });
  console.log(`\nGET /health on one tenant: ${ROUNDS} alternating rounds × ${REQUESTS} requests, concurrency ${CONCURRENCY}, keep-alive\n`);
  console.log(table(rows));
  const ratio = (rows[0]!["req/s"] as number) / (rows[1]!["req/s"] as number);
  const [viaRoute, straight, viaPort, viaWarm] = Object.values(results).map((r) => r.rps);
  // Per round, each path against the direct path measured right next to it: the noise of this
  // shared machine moves between rounds more than within one.
  const perRound = (a: number[]) => a.map((v, i) => v / straight![i]!);
  const describe = (a: number[]) => {
    const r = summarise(perRound(a));
    return `per round: median ${r.p50.toFixed(2)}, ${percentile(
      [...perRound(a)].sort((x, y) => x - y),
      10,
    ).toFixed(2)}–${percentile(
      [...perRound(a)].sort((x, y) => x - y),
      90,
    ).toFixed(2)} from the 10th to the 90th percentile`;
  };
  console.log(`\nthroughput through the ingress / direct: ${ratio.toFixed(2)}× (${describe(viaRoute!)}; target ≥ 0.6× → ${ratio >= 0.6 ? "met" : "NOT met"})`);
  console.log(`before (Caddy → host port) / direct: ${((rows[2]!["req/s"] as number) / (rows[1]!["req/s"] as number)).toFixed(2)}× (${describe(viaPort!)})`);
  console.log(`a tenant in a warm network, through the ingress / direct: ${((rows[3]!["req/s"] as number) / (rows[1]!["req/s"] as number)).toFixed(2)}× (${describe(viaWarm!)})`);
  for (const agent of [direct, viaIngress, viaIngress2, viaIngress3]) agent.destroy();
} finally {
  await caddy.destroy();
  await runtime.remove(name);
  await runtime.remove(warmName);
  if (holder) await runtime.remove(holder);
  await runtime.removeUnusedNetworks({ includeCurrent: true });
}
