/**
 * `npm run bench:spawn [N]`: spawn→ready latency as a polling client sees it, for N tenants one at
 * a time and N at once, side by side with the floor measured in the same run: the same image
 * created and started directly with dockerode (same hardening) and polled on /health.
 */
import { benchStack } from "./stack.js";
import { DockerRuntime } from "../shared/runtime/docker.js";
import { labelKeys } from "../shared/runtime/types.js";
import { TemplateRegistry } from "../shared/templates.js";
import { waitForStatus, type Stack } from "../tests/helpers/stack.js";
import { summarise, table } from "./stats.js";

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 10);
const POLL_MS = 25;

const stack = await benchStack("bench-spawn", {
  TENANT_PORT_MIN: "5001",
  TENANT_PORT_MAX: "5999",
  LOG_LEVEL: "warn",
});
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

let floorSeq = 0;
async function floorOnce(): Promise<number> {
  const name = `cvgbench-floor-${process.pid}-${floorSeq++}`;
  const port = 6001 + (floorSeq % 900);
  const t0 = performance.now();
  await runtime.create({
    name,
    image,
    env: { CONVERGENCE_API_URL: "http://host.docker.internal:1/api/v1", CONVERGENCE_API_KEY: "sk_tenant_floor", CONVERGENCE_ORG_ID: "0", CONVERGENCE_ENV_ID: "0", TENANT_ID: "floor", TENANT_NAME: "floor" },
    labels: { [labelKeys.owner]: OWNER, [labelKeys.envId]: "floor" },
    containerPort: 3000,
    hostPort: port,
    bindHost: "127.0.0.1",
    memoryMb: stack.config.TENANT_MEMORY_MB,
    cpus: stack.config.TENANT_CPUS,
    pidsLimit: stack.config.TENANT_PIDS_LIMIT,
  });
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

try {
  // Warm-up: one of each, not counted (first image use, first connections).
  await destroyAll(stack, [(await platformOnce(-1)).envId]);
  await floorOnce();

  const seqPlatform: number[] = [];
  const seqFloor: number[] = [];
  // Interleaved, so drift in machine load hits both sides alike.
  for (let i = 0; i < N; i++) {
    const { ms, envId } = await platformOnce(i);
    seqPlatform.push(ms);
    await destroyAll(stack, [envId]);
    seqFloor.push(await floorOnce());
  }
  record("one at a time", seqPlatform, seqFloor);

  const burst = await Promise.all(Array.from({ length: N }, (_, i) => platformOnce(100 + i)));
  await destroyAll(stack, burst.map((b) => b.envId));
  const floorBurst = await Promise.all(Array.from({ length: N }, () => floorOnce()));
  record(`${N} at once`, burst.map((b) => b.ms), floorBurst);

  console.log(`\nspawn → ready latency in ms (client polls every ${POLL_MS} ms; floor = dockerode create+start+poll /health of the same image)\n`);
  console.log(table(results));
  console.log(`\ntarget: one-at-a-time p50 ratio ≤ 1.5 → ${(results[0]!["ratio p50"] as number) <= 1.5 ? "met" : "NOT met"}`);
} finally {
  for (const c of await runtime.listOwned()) await runtime.remove(c.name);
  await stack.stop();
}
