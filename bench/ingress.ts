/**
 * `npm run bench:ingress [requests] [concurrency] [rounds]`: requests/s and p50/p99 of GET /health
 * on one tenant through the ingress (HTTPS via Caddy, hostname routing) next to the same
 * tenant straight on its host port (plain HTTP), same run, same keep-alive node:http client,
 * alternating rounds so noise on this shared machine hits both alike. A third row routes the same
 * tenant through Caddy to the container's own address (no docker-proxy hop), for comparison.
 */
import Docker from "dockerode";
import http from "node:http";
import https from "node:https";
import { parseConfig } from "../shared/config.js";
import { CaddyIngress } from "../shared/ingress/caddy.js";
import { tenantRoute, tenantUrl } from "../shared/ingress/hostname.js";
import { DockerRuntime } from "../shared/runtime/docker.js";
import { TemplateRegistry } from "../shared/templates.js";
import { freePort, testEnv } from "../tests/helpers/stack.js";
import { containerAddress, freeSubnet, startTenant } from "../tests/helpers/tenants.js";
import { load, summarise, table } from "./stats.js";

const REQUESTS = Number(process.argv[2] ?? 3000);
const CONCURRENCY = Number(process.argv[3] ?? 1);
const ROUNDS = Number(process.argv[4] ?? 3);
const OWNER = "convergence-bench-ingress";

const [httpsPort, httpPort] = [await freePort(), await freePort()];
const config = parseConfig({ ...testEnv(), CONVERGENCE_INSTANCE: OWNER, INGRESS_HTTPS_PORT: String(httpsPort), INGRESS_HTTP_PORT: String(httpPort) });
const docker = new Docker({ socketPath: config.DOCKER_SOCKET });
const runtime = new DockerRuntime({
  socketPath: config.DOCKER_SOCKET,
  owner: OWNER,
  network: { subnet: await freeSubnet(docker), egress: "public", masterPorts: [], deny: [], dnsServers: [] },
});
const ingress = new CaddyIngress({ adminUrl: config.CADDY_ADMIN_URL, owner: OWNER, domain: config.TENANT_DOMAIN, httpsPort, httpPort });
const name = `${OWNER}-1`;

try {
  const template = new TemplateRegistry(config.TEMPLATES_DIR).get("node", "express")!;
  const image = await runtime.ensureImage(template, config.TENANT_BASE_IMAGE);
  const tenant = await startTenant(runtime, image, { name, envId: 1, orgId: 1, owner: OWNER, tenantName: "bench" });
  await ingress.ensure();
  await ingress.upsertRoute(tenantRoute(config, { name: "bench", envId: 1, port: tenant.hostPort }));
  // For comparison only: a second hostname for the same container whose upstream is the
  // container's own address, skipping docker-proxy (what the route would be if the runtime
  // handed out tenant addresses instead of host ports).
  await ingress.upsertRoute({ envId: 2, hostname: `bench-direct-2.${config.TENANT_DOMAIN}`, upstream: `${await containerAddress(docker, name)}:3000` });
  const ca = (await ingress.caCertificate()) ?? undefined;
  const url = new URL(tenantUrl(config, { name: "bench", envId: 1 }));
  const url2 = new URL(tenantUrl(config, { name: "bench-direct", envId: 2 }));

  const direct = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const viaIngress = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
  const get = (mod: typeof http | typeof https, options: https.RequestOptions) => () =>
    new Promise<void>((resolve, reject) => {
      const req = mod.get({ ...options, path: "/health" }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`answered ${res.statusCode}`))));
      });
      req.on("error", reject);
    });
  const viaIngress2 = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
  const paths = {
    "ingress (HTTPS, Caddy → host port)": get(https, { host: "127.0.0.1", port: httpsPort, servername: url.hostname, headers: { host: url.host }, agent: viaIngress }),
    "direct (HTTP, host port)": get(http, { host: "127.0.0.1", port: tenant.hostPort, agent: direct }),
    "ingress (HTTPS, Caddy → container address)": get(https, { host: "127.0.0.1", port: httpsPort, servername: url2.hostname, headers: { host: url2.host }, agent: viaIngress2 }),
  };

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
    return { path, "req/s": Math.round(rps.reduce((a, b) => a + b, 0) / rps.length), "p50 ms": s.p50, "p99 ms": s.p99, "max ms": s.max };
  });
  console.log(`\nGET /health on one tenant: ${ROUNDS} alternating rounds × ${REQUESTS} requests, concurrency ${CONCURRENCY}, keep-alive\n`);
  console.log(table(rows));
  const ratio = (rows[0]!["req/s"] as number) / (rows[1]!["req/s"] as number);
  console.log(`\nthroughput through the ingress / direct: ${ratio.toFixed(2)}× (target ≥ 0.6× → ${ratio >= 0.6 ? "met" : "NOT met"})`);
  for (const agent of [direct, viaIngress, viaIngress2]) agent.destroy();
} finally {
  await ingress.removeAll().catch(() => {});
  await runtime.remove(name);
  await runtime.removeUnusedNetworks({ includeCurrent: true });
}
