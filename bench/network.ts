/**
 * `npm run bench:network [N]`: what the network model costs a spawn, and why it is one shared
 * bridge per platform instance rather than one network per tenant. Same image, same hardening,
 * create → start → first 200 on /health, N alternating rounds of:
 *   bare        Docker's default bridge, no rules (the floor)
 *   shared      the instance's tenant bridge (icc off, rules applied once, as in steady state)
 *   per-tenant  a new network with its own subnet and rules for this one tenant (removed after)
 * Then, on a private dockerd in its own network namespace, how many networks Docker creates
 * from its default address pools before it refuses (networks without an explicit subnet).
 */
import Docker from "dockerode";
import { parseConfig } from "../shared/config.js";
import { DockerRuntime, type TenantNetworkOptions } from "../shared/runtime/docker/index.js";
import { labelKeys } from "../shared/runtime/types.js";
import { TemplateRegistry } from "../shared/templates.js";
import { startPrivateDockerd } from "../tests/helpers/private-dockerd.js";
import { testEnv, waitFor } from "../tests/helpers/stack.js";
import { answersOk, freeSubnet, freeTenantPort } from "../tests/helpers/tenants.js";
import { summarise, table } from "./stats.js";

const N = Number(process.argv[2] ?? 10);
const OWNER = "convergence-bench-net";
const config = parseConfig({ ...testEnv(), CONVERGENCE_INSTANCE: OWNER });
const docker = new Docker({ socketPath: config.DOCKER_SOCKET });
const options = (subnet: string): TenantNetworkOptions => ({ subnet, egress: "public", masterPorts: [config.PORT], deny: [], dnsServers: [] });

async function spawnReady(runtime: DockerRuntime, image: string, name: string): Promise<number> {
  const port = await freeTenantPort();
  const t0 = performance.now();
  await runtime.create({
    name,
    image,
    env: { TENANT_ID: name, TENANT_NAME: name, CONVERGENCE_API_URL: "http://host.docker.internal:9/api/v1" },
    labels: { [labelKeys.owner]: OWNER, [labelKeys.envId]: name },
    containerPort: 3000,
    hostPort: port,
    bindHost: "127.0.0.1",
    memoryMb: config.TENANT_MEMORY_MB,
    cpus: config.TENANT_CPUS,
    pidsLimit: config.TENANT_PIDS_LIMIT,
  });
  await runtime.start(name);
  await waitFor(() => answersOk(`http://127.0.0.1:${port}/health`, 1_000), { timeoutMs: 30_000, intervalMs: 25, what: `${name} ready` });
  const ms = performance.now() - t0;
  await runtime.remove(name);
  return ms;
}

const bare = new DockerRuntime({ socketPath: config.DOCKER_SOCKET, owner: OWNER });
const template = new TemplateRegistry(config.TEMPLATES_DIR).get("node", "express")!;
const image = await bare.ensureImage(template, config.TENANT_BASE_IMAGE);
const shared = new DockerRuntime({ socketPath: config.DOCKER_SOCKET, owner: OWNER, network: options(await freeSubnet(docker)) });
const samples = { bare: [] as number[], shared: [] as number[], "per-tenant": [] as number[] };
try {
  await shared.ensureNetwork();
  await spawnReady(bare, image, `${OWNER}-warm`); // warm-up: page cache, image layers
  for (let i = 0; i < N; i++) {
    samples.bare.push(await spawnReady(bare, image, `${OWNER}-bare-${i}`));
    samples.shared.push(await spawnReady(shared, image, `${OWNER}-shared-${i}`));
    // A network of its own: its own owner name keeps it apart from the shared one.
    const own = new DockerRuntime({ socketPath: config.DOCKER_SOCKET, owner: `${OWNER}-t${i}`, network: options(await freeSubnet(docker)) });
    samples["per-tenant"].push(await spawnReady(own, image, `${OWNER}-own-${i}`));
    await own.removeUnusedNetworks({ includeCurrent: true }); // removal is not timed
  }
} finally {
  await shared.removeUnusedNetworks({ includeCurrent: true });
}
const floor = summarise(samples.bare).p50;
console.log(`\nspawn → ready (create, start, first 200 on /health), ${N} alternating rounds, ms\n`);
console.log(
  table(
    Object.entries(samples).map(([model, s]) => {
      const x = summarise(s);
      return { model, p50: x.p50, p95: x.p95, max: x.max, "p50 / bare": x.p50 / floor };
    }),
  ),
);

// Docker's default address pools, counted on an engine of our own (never the shared one).
const engine = await startPrivateDockerd("cvg-dind-bench");
try {
  let created = 0;
  let refusal = "";
  for (; created < 200; created++) {
    try {
      await engine.docker.createNetwork({ Name: `pool-${created}`, Driver: "bridge" });
    } catch (err) {
      refusal = (err as { json?: { message?: string } }).json?.message ?? String(err);
      break;
    }
  }
  const { Version } = await engine.docker.version();
  console.log(`\nnetworks Docker ${Version} creates from its default address pools before refusing: ${created} ("${refusal}")`);
} finally {
  await engine.destroy();
}
