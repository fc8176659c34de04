/**
 * `npm run bench:spawn [N] [-- --runtime docker|swarm] [--template language/framework]` (node/express by default): spawn→ready latency as a polling client sees
 * it (and, one at a time, a client holding `status?wait=ready`), for N tenants one at a time and N at once (BURST_ROUNDS times, 3 by default), side by side
 * with floors measured in the same run on the same engine, interleaved with the platform:
 * - docker: the same image created and started straight through the Engine API (dockerode) and
 *   polled on /health, once with the platform's limits and hardening ("limits") and once with
 *   nothing but the port published ("bare");
 * - swarm: a raw `service create` (one call, one replica, same image and hardening) on the same swarm,
 *   the client polling the task list for its node, then that node's address on /health: the first 200.
 * The API and the worker run compiled, as in production. One uncounted warm-up round of each first.
 * Under swarm, a local cluster is brought up if none is (`npm run cluster -- up 2`) and removed
 * after, unless it was there before.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { benchStack, buildCompiled } from "./stack.js";
import { down, loadState, MANAGER_IP, REGISTRY, up } from "../scripts/cluster/index.js";
import { DockerRuntime } from "../shared/runtime/docker/index.js";
import { SwarmRuntime, tenantServiceSpec } from "../shared/runtime/swarm/index.js";
import { labelKeys, type ContainerSpec } from "../shared/runtime/types.js";
import { baseImageOf, TemplateRegistry } from "../shared/templates.js";
import { waitForStatus, type Stack } from "../tests/helpers/stack.js";
import { summarise, table } from "./stats.js";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { runtime: { type: "string", default: "docker" }, template: { type: "string", default: "node/express" } } });
const N = Number(positionals[0] ?? process.env.BENCH_N ?? 10);
const RUNTIME = values.runtime;
if (RUNTIME !== "docker" && RUNTIME !== "swarm") throw new Error(`--runtime must be docker or swarm, not ${RUNTIME}`);
const POLL_MS = 25;
const BURST_ROUNDS = Number(process.env.BURST_ROUNDS ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cluster = RUNTIME === "swarm" ? await up(2, { tool: "bench", log: (m) => console.error(`[cluster] ${m}`) }) : null;
buildCompiled(); // dist/, rebuilt first
const stack = await benchStack(
  "bench-spawn",
  {
    TENANT_PORT_MIN: "5001",
    TENANT_PORT_MAX: "5999",
    LOG_LEVEL: "warn",
    ...(RUNTIME === "swarm" ? { CONVERGENCE_RUNTIME: "swarm", SWARM_REGISTRY: REGISTRY, SWARM_MASTER_ADDRESS: MANAGER_IP } : {}),
  },
  { compiled: true },
);
const OWNER = stack.config.CONVERGENCE_INSTANCE;
const registry = new TemplateRegistry(stack.config.TEMPLATES_DIR);
const [language = "", framework = ""] = values.template.split("/");
const found = registry.get(language, framework);
if (!found) {
  await stack.stop();
  throw new Error(
    `--template ${values.template}: no such template (available: ${registry
      .list()
      .map((t) => t.id)
      .join(", ")})`,
  );
}
const template = found;
const org = await stack.newOrg("bench");

/**
 * One spawn until the client sees `ready`: polling the status every POLL_MS, or ("wait") holding one
 * `status?wait=ready` request, which the API answers as soon as the tenant is ready.
 */
async function platformOnce(i: number, client: "poll" | "wait" = "poll"): Promise<{ ms: number; envId: number }> {
  const t0 = performance.now();
  const res = await stack.api("/api/v1/tenant/spawn", { token: org.token, body: { name: `bench-${i}`, language: template.language, framework: template.framework } });
  if (res.status !== 202) throw new Error(`spawn failed: ${JSON.stringify(res.body)}`);
  const envId = res.body.tenant.envId as number;
  const query = client === "wait" ? "?wait=ready&timeout=60" : "";
  for (;;) {
    const r = await stack.api(`/api/v1/tenant/${envId}/status${query}`, { token: org.token });
    if (r.body.tenant.status === "ready") return { ms: performance.now() - t0, envId };
    if (r.body.tenant.status === "failed") throw new Error(`tenant failed: ${r.body.tenant.error}`);
    await sleep(POLL_MS);
  }
}

async function destroyAll(stack: Stack, envIds: number[]) {
  await Promise.all(envIds.map((id) => stack.api(`/api/v1/tenant/${id}`, { method: "DELETE", token: org.token })));
  await Promise.all(envIds.map((id) => waitForStatus(stack, org.token, id, ["destroyed"])));
}

const answers = (address: string) =>
  fetch(`http://${address}/health`).then(
    (r) => r.status === 200,
    () => false,
  );

let floorSeq = 0;
function floorSpec(image: string): ContainerSpec {
  floorSeq++;
  return {
    name: `cvgbench-floor-${process.pid}-${floorSeq}`,
    image,
    env: {
      CONVERGENCE_API_URL: "http://host.docker.internal:1/api/v1",
      CONVERGENCE_API_KEY: "sk_tenant_floor",
      CONVERGENCE_ORG_ID: "0",
      CONVERGENCE_ENV_ID: "0",
      TENANT_ID: "floor",
      TENANT_NAME: "floor",
    },
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

/** On one engine: the floor with the platform's limits and hardening, and the bare one (the port published, nothing else). */
async function dockerFloors(): Promise<Record<string, Floor>> {
  const runtime = new DockerRuntime({ socketPath: stack.config.DOCKER_SOCKET, owner: OWNER });
  const image = await runtime.ensureImage(template, baseImageOf(stack.config, template));
  const measure = async (spec: ContainerSpec, create: () => Promise<unknown>) => {
    const t0 = performance.now();
    await create();
    await runtime.start(spec.name);
    while (!(await answers(`127.0.0.1:${spec.hostPort}`))) await sleep(POLL_MS);
    return { ms: performance.now() - t0, remove: () => runtime.remove(spec.name) };
  };
  const cleanUp = async () => {
    for (const c of await runtime.listOwned()) await runtime.remove(c.name);
  };
  return {
    limits: {
      label: "the same image created, started and polled on /health through the Engine API with the platform's limits and hardening",
      once: () => {
        const spec = floorSpec(image);
        return measure(spec, () => runtime.create(spec));
      },
      cleanUp,
    },
    bare: {
      label: "the same with no limits (port published only)",
      once: () => {
        const spec = floorSpec(image);
        return measure(spec, () =>
          runtime.docker.createContainer({
            name: spec.name,
            Image: image,
            Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
            Labels: spec.labels,
            ExposedPorts: { "3000/tcp": {} },
            HostConfig: { PortBindings: { "3000/tcp": [{ HostIp: "127.0.0.1", HostPort: String(spec.hostPort) }] } },
          }),
        );
      },
      cleanUp,
    },
  };
}

async function swarmFloors(): Promise<Record<string, Floor>> {
  // The image the platform pushed (same registry reference), and the nodes' addresses.
  const runtime = new SwarmRuntime({ socketPath: stack.config.DOCKER_SOCKET, owner: OWNER, registry: REGISTRY, masterAddress: MANAGER_IP });
  const image = await runtime.ensureImage(template, baseImageOf(stack.config, template));
  const docker = runtime.docker;
  const nodes = new Map(((await docker.listNodes()) as Array<{ ID: string; Status?: { Addr?: string } }>).map((n) => [n.ID, n.Status?.Addr ?? ""]));
  return {
    limits: {
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
    },
  };
}

const results: Array<Record<string, string | number>> = [];
function record(mode: string, platform: number[], floorTimes: Record<string, number[]>) {
  const p = summarise(platform);
  const row: Record<string, string | number> = { mode, n: p.n, "platform p50": Math.round(p.p50), p95: Math.round(p.p95) };
  for (const [kind, times] of Object.entries(floorTimes)) {
    const f = summarise(times);
    row[`${kind} p50`] = Math.round(f.p50);
    row[`${kind} p95`] = Math.round(f.p95);
  }
  for (const [kind, times] of Object.entries(floorTimes)) row[`÷ ${kind}`] = p.p50 / summarise(times).p50;
  results.push(row);
}

let floors: Record<string, Floor> = {};
const floorRun = async (kind: string, n: number) => {
  const runs = await Promise.all(Array.from({ length: n }, () => floors[kind]!.once()));
  await Promise.all(runs.map((r) => r.remove()));
  return runs.map((r) => r.ms);
};
try {
  // Warm-up, not counted: the first spawn builds and pushes what it needs (and, on Swarm, starts the
  // node agent and has every node pull the image).
  await destroyAll(stack, [(await platformOnce(-1)).envId]);
  floors = RUNTIME === "swarm" ? await swarmFloors() : await dockerFloors();
  for (const kind of Object.keys(floors)) await floorRun(kind, 1);
  const empty = () => Object.fromEntries(Object.keys(floors).map((k) => [k, [] as number[]]));

  const seqPlatform: number[] = [];
  const seqWaiting: number[] = [];
  const seqFloors = empty();
  // Interleaved, so drift in machine load hits every side alike.
  for (let i = 0; i < N; i++) {
    for (const [client, times] of [
      ["poll", seqPlatform],
      ["wait", seqWaiting],
    ] as const) {
      const { ms, envId } = await platformOnce(i, client);
      times.push(ms);
      await destroyAll(stack, [envId]);
    }
    for (const kind of Object.keys(floors)) seqFloors[kind]!.push(...(await floorRun(kind, 1)));
  }
  record("one at a time", seqPlatform, seqFloors);
  record("one at a time, client waits", seqWaiting, seqFloors);

  // N at once, BURST_ROUNDS times, each round the platform then the floors: one burst is too few
  // samples on a shared machine.
  const burstPlatform: number[] = [];
  const burstFloors = empty();
  for (let round = 0; round < BURST_ROUNDS; round++) {
    const burst = await Promise.all(Array.from({ length: N }, (_, i) => platformOnce(100 * (round + 1) + i)));
    burstPlatform.push(...burst.map((b) => b.ms));
    await destroyAll(
      stack,
      burst.map((b) => b.envId),
    );
    for (const kind of Object.keys(floors)) burstFloors[kind]!.push(...(await floorRun(kind, N)));
  }
  record(`${N} at once ×${BURST_ROUNDS}`, burstPlatform, burstFloors);

  console.log(
    `\nspawn → ready latency in ms, template ${template.id} on ${baseImageOf(stack.config, template)}, runtime ${RUNTIME} (client polls every ${POLL_MS} ms, or waits with status?wait=ready; load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")})`,
  );
  for (const [kind, floor] of Object.entries(floors)) console.log(`${kind} = ${floor.label}`);
  console.log("");
  console.log(table(results));
  const base = floors.bare ? "bare" : "limits";
  const one = results[0]![`÷ ${base}`] as number;
  console.log(`\ntarget: one-at-a-time p50 ≤ 1.3× ${base} → ${one <= 1.3 ? "met" : "NOT met"} (${one.toFixed(2)})`);
} finally {
  for (const floor of new Set(Object.values(floors))) await floor.cleanUp();
  await stack.stop();
  if (cluster) {
    const runtime = new SwarmRuntime({ socketPath: stack.config.DOCKER_SOCKET, owner: OWNER, registry: REGISTRY, masterAddress: MANAGER_IP });
    await runtime.removeUnusedNetworks({ includeCurrent: true });
    if (cluster.createdCluster && loadState()?.createdBy.tool === "bench") await down();
  }
}
