/**
 * Once per `vitest run`: migrate and empty the test database, remove what a previous, aborted run
 * may have left (containers carrying the test owner label, that owner's tenant networks, the
 * stacks' servers in the shared Caddy), and claim the tenant network every stack of this run
 * shares: one subnet, chosen here and created at once, so that no other run on the machine takes
 * it and no stack's orphan-network sweep ever sees another stack's network as someone else's.
 * Afterwards: the network and the stacks' Caddy servers go, and the local swarm if a test file of
 * this run brought it up (tests/helpers/swarm.ts).
 */
import Docker from "dockerode";
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { parseConfig, projectRoot } from "../shared/config.js";
import { DockerRuntime } from "../shared/runtime/docker/index.js";
import { hostResolvers } from "../shared/runtime/firewall.js";
import { removeIngressServers } from "./helpers/caddy-admin.js";
import { STACK_INGRESS_PREFIX, TEST_OWNER, TEST_SUBNETS, logDir, removeWarmNetworks, testEnv } from "./helpers/stack.js";
import { removeRunSwarm } from "./helpers/swarm-run.js";
import { freeSubnet } from "./helpers/tenants.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** When this `vitest run` started (ms): every log file it scans must be newer. */
    runStartedAt: number;
    /** The TENANT_NETWORK_SUBNET of every stack in this run. */
    tenantSubnet: string;
  }
}

export default async function setup(project: TestProject) {
  // This run's logs only: tests/zz-no-secrets-in-logs.test.ts scans everything in here.
  project.provide("runStartedAt", Date.now());
  project.provide("vitestPid", process.pid);
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const env = testEnv();
  execFileSync(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], { cwd: projectRoot, env, stdio: "inherit" });
  // A dedicated database: start every run from empty, so no earlier run's tenant is picked up
  // by this run's reconcilers.
  const sql = postgres(env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  await sql`truncate port_leases, tenant_events, tenants, organisations, signing_keys restart identity cascade`;
  await sql.end();
  const config = parseConfig(env);
  const docker = new Docker({ socketPath: config.DOCKER_SOCKET });
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`io.convergence.owner=${TEST_OWNER}`] } });
  await Promise.all(
    leftovers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
  await removeWarmNetworks(docker, TEST_OWNER);
  const bare = new DockerRuntime({ socketPath: config.DOCKER_SOCKET, owner: TEST_OWNER });
  await bare.removeUnusedNetworks({ includeCurrent: true });
  await removeIngressServers(config.CADDY_ADMIN_URL, STACK_INGRESS_PREFIX);

  project.provide("tenantSubnet", await claimTenantSubnet(docker, config.DOCKER_SOCKET));

  return async () => {
    await removeIngressServers(config.CADDY_ADMIN_URL, STACK_INGRESS_PREFIX).catch(() => {});
    await removeWarmNetworks(docker, TEST_OWNER).catch(() => {});
    await bare.removeUnusedNetworks({ includeCurrent: true }).catch(() => {});
    await removeRunSwarm(process.pid);
  };
}

/** Creates the run's tenant network (no master ports yet: each stack's workers add their API's) on a free subnet. */
async function claimTenantSubnet(docker: Docker, socketPath: string): Promise<string> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const subnet = await freeSubnet(docker, TEST_SUBNETS);
    const runtime = new DockerRuntime({
      socketPath,
      owner: TEST_OWNER,
      network: { subnet, egress: "public", masterPorts: [], deny: [], dnsServers: hostResolvers() },
    });
    try {
      await runtime.ensureNetwork();
      return subnet;
    } catch (err) {
      // Another run on this machine took an overlapping subnet between the list and the create.
      lastError = err;
    }
  }
  throw new Error(`could not create the test run's tenant network: ${String(lastError)}`);
}
