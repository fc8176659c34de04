/**
 * `npm run bench:spawn [N] [-- --runtime docker|swarm]`: spawn→ready latency as a polling client sees
 * it, for N tenants one at a time and N at once, side by side with the floor measured in the same
 * run on the same engine:
 * - docker: the same image created and started directly with dockerode (same hardening), polled on /health;
 * - swarm: a raw `service create` (one call, one replica, same image and hardening) on the same swarm,
 *   the client polling the task list for its node, then that node's address on /health: the first 200.
 * One uncounted warm-up round of each first. Under swarm, a local cluster is brought up if none is
 * (`npm run cluster -- up 2`) and removed after, unless it was there before.
 */
import { parseArgs } from "node:util";
import { benchStack } from "./stack.js";
import { down, loadState, MANAGER_IP, REGISTRY, up } from "../scripts/cluster/index.js";
import { DockerRuntime } from "../shared/runtime/docker.js";
import { SwarmRuntime, tenantServiceSpec } from "../shared/runtime/swarm.js";
import { labelKeys, type ContainerSpec } from "../shared/runtime/types.js";
import { TemplateRegistry } from "../shared/templates.js";
import { waitForStatus, type Stack } from "../tests/helpers/stack.js";
import { summarise, table } from "./stats.js";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { runtime: { type: "string", default: "docker" } } });
const N = Number(positionals[0] ?? process.env.BENCH_N ?? 10);
const RUNTIME = values.runtime;
if (RUNTIME !== "docker" && RUNTIME !== "swarm") throw new Error(`--runtime must be docker or swarm, not ${RUNTIME}`);
const POLL_MS = 25;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cluster = RUNTIME === "swarm" ? await up(2, { tool: "bench", log: (m) => console.error(`[cluster] ${m}`) }) : null;
const stack = await benchStack("bench-spawn", {
  TENANT_PORT_MIN: "5001",
  TENANT_PORT_MAX: "5999",
  LOG_LEVEL: "warn",
  ...(RUNTIME === "swarm" ? { CONVERGENCE_RUNTIME: "swarm", SWARM_REGISTRY: REGISTRY, SWARM_MASTER_ADDRESS: MANAGER_IP } : {}),
});
const OWNER = stack.config.CONVERGENCE_INSTANCE;
const template = new TemplateRegistry(stack.config.TEMPLATES_DIR).get("node", "express")!;
const org = await stack.newOrg("bench");

async function platformOnce(i: number): Promise<{ ms: number; envId: number }> {
  const t0 = performance.now();
  const res = await stack.api("/api/v1/tenant/spawn", { token: org.token, body: { name: `bench-${i}`, language: "node", framework: "express" } });
  if (res.status !== 202) throw new Error(`spawn failed: ${JSON.stringify(res.body)}`);
  const envId = res.body.tenant.envId as number;
  for (;;) {
    const r = await stack.api(`/api/v1/tenant/${envId}/status`, { token: org.token });
    if (r.body.tenant.status === "ready") return { ms: performance.now() - t0, envId };
    if (r.body.tenant.status === "failed") throw new Error(`tenant failed: ${r.body.tenant.error}`);
    await sleep(POLL_MS);
  }
}

async function destroyAll(stack: Stack, envIds: number[]) {
  await Promise.all(envIds.map((id) => stack.api(`/api/v1/tenant/${id}`, { method: "DELETE", token: org.token })));
  await Promise.all(envIds.map((id) => waitForStatus(stack, org.token, id, ["destroyed"])));
}

const answers = (address: string) => fetch(`http://${address}/health`).then((r) => r.status === 200, () => false);

let floorSeq = 0;
function floorSpec(image: string): ContainerSpec {
  floorSeq++;
  return {
    name: `cvgbench-floor-${process.pid}-${floorSeq}`,
    image,
    env: { CONVERGENCE_API_URL: "http://host.docker.internal:1/api/v1", CONVERGENCE_API_KEY: "sk_tenant_floor", CONVERGENCE_ORG_ID: "0", CONVERGENCE_ENV_ID: "0", TENANT_ID: "floor", TENANT_NAME: "floor" },
    labels: { [labelKeys.owner]: OWNER, [labelKeys.envId]: "floor" },
    containerPort: 3000,
    hostPort: 6001 + (floorSeq % 900),
    bindHost: "127.0.0.1",
    memoryMb: stack.config.TENANT_MEMORY_MB,
    cpus: stack.config.TENANT_CPUS,
    pidsLimit: stack.config.TENANT_PIDS_LIMIT,
  };
}

interface Floor {
  label: string;
  /** One spawn measured up to its first 200; returns the time and how to remove it. */
  once(): Promise<{ ms: number; remove(): Promise<void> }>;
  /** Removes whatever the floor left (owned by the bench's owner label). */
  cleanUp(): Promise<void>;
}

async function dockerFloor(): Promise<Floor> {
  const runtime = new DockerRuntime({ socketPath: stack.config.DOCKER_SOCKET, owner: OWNER });
  const image = await runtime.ensureImage(template, stack.config.TENANT_BASE_IMAGE);
  return {
    label: "dockerode create+start+poll /health of the same image",
    async once() {
      const spec = floorSpec(image);
      const t0 = performance.now();
      await runtime.create(spec);
      await runtime.start(spec.name);
      while (!(await answers(`127.0.0.1:${spec.hostPort}`))) await sleep(POLL_MS);
      return { ms: performance.now() - t0, remove: () => runtime.remove(spec.name) };
    },
    async cleanUp() {
      for (const c of await runtime.listOwned()) await runtime.remove(c.name);
    },
  };
}

async function swarmFloor(): Promise<Floor> {
  // The image the platform pushed (same registry reference), and the nodes' addresses.
  const runtime = new SwarmRuntime({ socketPath: stack.config.DOCKER_SOCKET, owner: OWNER, registry: REGISTRY, masterAddress: MANAGER_IP });
  const image = await runtime.ensureImage(template, stack.config.TENANT_BASE_IMAGE);
  const docker = runtime.docker;
  const nodes = new Map(((await docker.listNodes()) as Array<{ ID: string; Status?: { Addr?: string } }>).map((n) => [n.ID, n.Status?.Addr ?? ""]));
  return {
    label: "raw `service create` (1 replica, same image and hardening), poll its task's node on /health",
    async once() {
      const spec = floorSpec(image);
      const t0 = performance.now();
      const service = tenantServiceSpec(spec, { masterAddress: MANAGER_IP, constraints: [], cpuReservation: stack.config.SWARM_CPU_RESERVATION });
      const { id } = (await docker.createService({ ...service, Mode: { Replicated: { Replicas: 1 } } })) as { id: string };
      let node = "";
      while (!node) {
        const tasks = (await docker.listTasks({ filters: { service: [id] } })) as Array<{ NodeID?: string }>;
        node = nodes.get(tasks[0]?.NodeID ?? "") ?? "";
        if (!node) await sleep(POLL_MS);
      }
      while (!(await answers(`${node}:${spec.hostPort}`))) await sleep(POLL_MS);
      return { ms: performance.now() - t0, remove: () => runtime.remove(spec.name) };
    },
    async cleanUp() {
      for (const c of await runtime.listOwned()) await runtime.remove(c.name);
    },
  };
}

const results: Array<Record<string, string | number>> = [];
function record(mode: string, platform: number[], floor: number[]) {
  const p = summarise(platform);
  const f = summarise(floor);
  results.push({
    mode,
    n: p.n,
    "platform p50": Math.round(p.p50),
    "p95": Math.round(p.p95),
    "max": Math.round(p.max),
    "floor p50": Math.round(f.p50),
    "floor p95": Math.round(f.p95),
    "floor max": Math.round(f.max),
    "ratio p50": p.p50 / f.p50,
  });
}

let floor: Floor | undefined;
try {
  // Warm-up, not counted: the first spawn builds and pushes what it needs (and, on Swarm, starts the
  // node agent and has every node pull the image).
  await destroyAll(stack, [(await platformOnce(-1)).envId]);
  floor = RUNTIME === "swarm" ? await swarmFloor() : await dockerFloor();
  await (await floor.once()).remove();

  const seqPlatform: number[] = [];
  const seqFloor: number[] = [];
  // Interleaved, so drift in machine load hits both sides alike.
  for (let i = 0; i < N; i++) {
    const { ms, envId } = await platformOnce(i);
    seqPlatform.push(ms);
    await destroyAll(stack, [envId]);
    const f = await floor.once();
    seqFloor.push(f.ms);
    await f.remove();
  }
  record("one at a time", seqPlatform, seqFloor);

  const burst = await Promise.all(Array.from({ length: N }, (_, i) => platformOnce(100 + i)));
  await destroyAll(stack, burst.map((b) => b.envId));
  const floorBurst = await Promise.all(Array.from({ length: N }, () => floor!.once()));
  await Promise.all(floorBurst.map((f) => f.remove()));
  record(`${N} at once`, burst.map((b) => b.ms), floorBurst.map((f) => f.ms));

  console.log(`\nspawn → ready latency in ms, runtime ${RUNTIME} (client polls every ${POLL_MS} ms; floor = ${floor.label})\n`);
  console.log(table(results));
  console.log(`\ntarget: one-at-a-time p50 ratio ≤ 1.5 → ${(results[0]!["ratio p50"] as number) <= 1.5 ? "met" : "NOT met"}`);
} finally {
  await floor?.cleanUp();
  await stack.stop();
  if (cluster) {
    const runtime = new SwarmRuntime({ socketPath: stack.config.DOCKER_SOCKET, owner: OWNER, registry: REGISTRY, masterAddress: MANAGER_IP });
    await runtime.removeUnusedNetworks({ includeCurrent: true });
    if (cluster.createdCluster && loadState()?.createdBy.tool === "bench") await down();
  }
}

