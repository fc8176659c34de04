/**
 * `npm run bench:spawn [N]`: spawn→ready latency as a polling client sees it, for N tenants one at
 * a time and N at once (BURST_ROUNDS times, 3 by default), side by side with two floors measured in the same run, interleaved: the
 * same image created and started straight through the Engine API (dockerode) and polled on
 * /health, once with the platform's limits and hardening ("limits") and once with nothing but
 * the port published ("bare").
 */
import { loadavg } from "node:os";
import { benchStack, buildCompiled } from "./stack.js";
import { DockerRuntime } from "../shared/runtime/docker.js";
import { labelKeys } from "../shared/runtime/types.js";
import { TemplateRegistry } from "../shared/templates.js";
import { waitForStatus, type Stack } from "../tests/helpers/stack.js";
import { summarise, table } from "./stats.js";

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 10);
const POLL_MS = 25;
const BURST_ROUNDS = Number(process.env.BURST_ROUNDS ?? 3);

// The API and the worker run compiled, as in production (dist/, rebuilt first).
buildCompiled();
const stack = await benchStack(
  "bench-spawn",
  {
    TENANT_PORT_MIN: "5001",
    TENANT_PORT_MAX: "5999",
    LOG_LEVEL: "warn",
  },
  { compiled: true },
);
const OWNER = stack.config.CONVERGENCE_INSTANCE;
const runtime = new DockerRuntime({ socketPath: stack.config.DOCKER_SOCKET, owner: OWNER });
const template = new TemplateRegistry(stack.config.TEMPLATES_DIR).get("node", "express")!;
const image = await runtime.ensureImage(template, stack.config.TENANT_BASE_IMAGE);
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
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function destroyAll(stack: Stack, envIds: number[]) {
  await Promise.all(envIds.map((id) => stack.api(`/api/v1/tenant/${id}`, { method: "DELETE", token: org.token })));
  await Promise.all(envIds.map((id) => waitForStatus(stack, org.token, id, ["destroyed"])));
}

type Floor = "limits" | "bare";
let floorSeq = 0;
/** The floor: create, start and poll /health straight through the Engine API; with the platform's limits or with none. */
async function floorOnce(kind: Floor): Promise<number> {
  const name = `cvgbench-floor-${process.pid}-${floorSeq++}`;
  const port = 6001 + (floorSeq % 900);
  const env = { CONVERGENCE_API_URL: "http://host.docker.internal:1/api/v1", CONVERGENCE_API_KEY: "sk_tenant_floor", CONVERGENCE_ORG_ID: "0", CONVERGENCE_ENV_ID: "0", TENANT_ID: "floor", TENANT_NAME: "floor" };
  const labels = { [labelKeys.owner]: OWNER, [labelKeys.envId]: "floor" };
  const t0 = performance.now();
  if (kind === "limits") {
    await runtime.create({
      name,
      image,
      env,
      labels,
      containerPort: 3000,
      hostPort: port,
      bindHost: "127.0.0.1",
      memoryMb: stack.config.TENANT_MEMORY_MB,
      cpus: stack.config.TENANT_CPUS,
      pidsLimit: stack.config.TENANT_PIDS_LIMIT,
    });
  } else {
    await runtime.docker.createContainer({
      name,
      Image: image,
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      Labels: labels,
      ExposedPorts: { "3000/tcp": {} },
      HostConfig: { PortBindings: { "3000/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] } },
    });
  }
  await runtime.start(name);
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status === 200, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const ms = performance.now() - t0;
  await runtime.remove(name);
  return ms;
}

const results: Array<Record<string, string | number>> = [];
function record(mode: string, platform: number[], floors: Record<Floor, number[]>) {
  const p = summarise(platform);
  const limits = summarise(floors.limits);
  const bare = summarise(floors.bare);
  results.push({
    mode,
    n: p.n,
    "platform p50": Math.round(p.p50),
    p95: Math.round(p.p95),
    "limits p50": Math.round(limits.p50),
    p95_: Math.round(limits.p95),
    "bare p50": Math.round(bare.p50),
    p95__: Math.round(bare.p95),
    "÷ limits": p.p50 / limits.p50,
    "÷ bare": p.p50 / bare.p50,
  });
}

try {
  // Warm-up: one of each, not counted (first image use, first connections).
  await destroyAll(stack, [(await platformOnce(-1)).envId]);
  await floorOnce("limits");
  await floorOnce("bare");

  const seqPlatform: number[] = [];
  const seqFloors: Record<Floor, number[]> = { limits: [], bare: [] };
  // Interleaved, so drift in machine load hits all three alike.
  for (let i = 0; i < N; i++) {
    const { ms, envId } = await platformOnce(i);
    seqPlatform.push(ms);
    await destroyAll(stack, [envId]);
    seqFloors.limits.push(await floorOnce("limits"));
    seqFloors.bare.push(await floorOnce("bare"));
  }
  record("one at a time", seqPlatform, seqFloors);

  // N at once, BURST_ROUNDS times, each round platform then the two floors: one burst is too few
  // samples on a shared machine.
  const burstPlatform: number[] = [];
  const burstFloors: Record<Floor, number[]> = { limits: [], bare: [] };
  for (let round = 0; round < BURST_ROUNDS; round++) {
    const burst = await Promise.all(Array.from({ length: N }, (_, i) => platformOnce(100 * (round + 1) + i)));
    burstPlatform.push(...burst.map((b) => b.ms));
    await destroyAll(stack, burst.map((b) => b.envId));
    for (const kind of ["limits", "bare"] as const) burstFloors[kind].push(...(await Promise.all(Array.from({ length: N }, () => floorOnce(kind)))));
  }
  record(`${N} at once ×${BURST_ROUNDS}`, burstPlatform, burstFloors);

  console.log(`\nspawn → ready latency in ms (client polls every ${POLL_MS} ms; load average ${loadavg().map((x) => x.toFixed(1)).join(" ")})`);
  console.log(`limits = the same image created, started and polled on /health through the Engine API with the platform's limits and hardening;`);
  console.log(`bare = the same with no limits (port published only)\n`);
  console.log(table(results).replace(/p95_+/g, (m) => "p95".padStart(m.length)));
  const one = results[0]!["÷ bare"] as number;
  console.log(`\ntarget: one-at-a-time p50 ≤ 1.3× bare → ${one <= 1.3 ? "met" : "NOT met"} (${one.toFixed(2)})`);
} finally {
  for (const c of await runtime.listOwned()) await runtime.remove(c.name);
  await stack.stop();
}
