/**
 * `npm run bench:idle [N] [ROUNDS]`: scale to zero (docs/idle.md), on the real stack.
 *
 * 1. Wake → first byte through the ingress (HTTPS to the tenant's hostname, held by the waker while
 *    the tenant wakes), from `paused` and from `stopped`, ROUNDS (default 10) times each, next to
 *    the same-run baseline: `docker unpause` / `docker start` of the same container, then its host
 *    port polled directly until it answers 200. Targets: p95 ≤ 100 ms from paused; from stopped ≤
 *    1.3× the direct start. The same request to the tenant awake is the ingress's own cost (a new
 *    TLS connection each time, as a first request has).
 * 2. Memory of N (default 50) idle tenants, ready vs paused vs stopped: the sum of their
 *    containers' memory (`docker stats`: usage less inactive page cache), and the host's used
 *    memory (MemTotal − MemAvailable) against the same run's start.
 */
import type Docker from "dockerode";
import { readFileSync } from "node:fs";
import https from "node:https";
import { createIngress } from "../shared/ingress/index.js";
import { waitFor, waitForStatus, type Stack } from "../tests/helpers/stack.js";
import { benchStack, destroyTenants, spawnReady } from "./stack.js";
import { summarise, table } from "./stats.js";

const N = Number(process.argv[2] ?? 50);
const ROUNDS = Number(process.argv[3] ?? 10);

const stack: Stack = await benchStack("bench-idle", {
  // This checkout's own test range when it has one (benchmarks of other checkouts use 7001–7999).
  TENANT_PORT_MIN: process.env.TEST_PORT_MIN ?? "7001",
  TENANT_PORT_MAX: process.env.TEST_PORT_MAX ?? "7999",
  TENANT_MEMORY_MB: "128",
  TENANT_CPUS: "0.25",
  LOG_LEVEL: "warn",
  // The baseline pauses and stops containers behind the platform's back: no sweep may notice meanwhile.
  HEALTH_INTERVAL_MS: "600000",
  RECONCILE_INTERVAL_MS: "600000",
});
const docker: Docker = stack.docker;
const org = await stack.newOrg("bench-idle");
const envIds: number[] = [];

function usedMemoryMb(): number {
  const info = readFileSync("/proc/meminfo", "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(info)?.[1] ?? 0);
  return (kb("MemTotal") - kb("MemAvailable")) / 1024;
}

/** ms until the response's first byte (its status line and headers). */
function firstByte(url: string, ca: string): Promise<number> {
  const u = new URL(url);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = https.request({ host: "127.0.0.1", port: Number(u.port), path: u.pathname, servername: u.hostname, headers: { host: u.host }, ca, agent: false, timeout: 60_000 }, (res) => {
      const ms = performance.now() - t0;
      res.resume();
      if (res.statusCode !== 200) reject(new Error(`${url} answered ${res.statusCode}`));
      else resolve(ms);
    });
    req.on("error", reject);
    req.end();
  });
}

/** ms from `act` until GET /health on the host port answers 200, polled back to back. */
async function directUntilAnswers(port: number, act: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await act();
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000), headers: { connection: "close" } })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function sleepTenant(envId: number, name: string, mode: "paused" | "stopped") {
  const r = await stack.api(`/api/v1/tenant/${envId}/sleep`, { token: org.token, body: { mode } });
  if (r.status !== 202) throw new Error(`sleep: ${JSON.stringify(r.body)}`);
  await waitFor(
    async () => {
      const s = (await docker.getContainer(name).inspect()).State;
      return mode === "paused" ? s.Paused : !s.Running;
    },
    { timeoutMs: 30_000, what: `${name} ${mode}` },
  );
}

/** Docker's view of what a container's processes hold, MB (0 when it is not running). */
async function containerMemoryMb(name: string): Promise<number> {
  const s = (await docker.getContainer(name).stats({ stream: false })) as { memory_stats?: { usage?: number; stats?: { inactive_file?: number } } };
  const m = s.memory_stats;
  return m?.usage ? (m.usage - (m.stats?.inactive_file ?? 0)) / 2 ** 20 : 0;
}

async function sumMemoryMb(names: string[]): Promise<number> {
  let total = 0;
  for (let i = 0; i < names.length; i += 10) total += (await Promise.all(names.slice(i, i + 10).map(containerMemoryMb))).reduce((a, b) => a + b, 0);
  return total;
}

try {
  await stack.waitForWorkers(1);
  const ca = (await createIngress(stack.config).caCertificate())!;
  const baseMb = usedMemoryMb();

  // 1. Wake latency, through the ingress and directly, on one tenant.
  const spawned = await stack.api("/api/v1/tenant/spawn", { token: org.token, body: { name: "wake", language: "node", framework: "express" } });
  envIds.push(spawned.body.tenant.envId);
  const t = await waitForStatus(stack, org.token, spawned.body.tenant.envId, ["ready"], 180_000);
  const c = docker.getContainer(t.containerName);
  await firstByte(`${t.url}/health`, ca); // the route is loaded
  const samples: Record<string, number[]> = {
    "ready → ingress (no wake)": [],
    "paused → ingress": [],
    "docker unpause → host port": [],
    "stopped → ingress": [],
    "docker start → host port": [],
  };
  for (let i = 0; i < ROUNDS; i++) {
    // What the ingress itself costs (a new TLS connection, Caddy, the app), awake.
    samples["ready → ingress (no wake)"]!.push(await firstByte(`${t.url}/health`, ca));
    await sleepTenant(t.envId, t.containerName, "paused");
    samples["paused → ingress"]!.push(await firstByte(`${t.url}/health`, ca));
    await waitForStatus(stack, org.token, t.envId, ["ready"], 30_000);
    await c.pause();
    samples["docker unpause → host port"]!.push(await directUntilAnswers(t.port, () => c.unpause()));

    await sleepTenant(t.envId, t.containerName, "stopped");
    samples["stopped → ingress"]!.push(await firstByte(`${t.url}/health`, ca));
    await waitForStatus(stack, org.token, t.envId, ["ready"], 30_000);
    await c.stop({ t: 5 });
    samples["docker start → host port"]!.push(await directUntilAnswers(t.port, () => c.start()));
    console.error(`round ${i + 1}/${ROUNDS} done`);
  }
  const rows = Object.entries(samples).map(([what, s]) => {
    const { n, p50, p95, max } = summarise(s);
    return { what, n, "p50 ms": p50, "p95 ms": p95, "max ms": max };
  });
  const p95 = (what: string) => summarise(samples[what]!).p95;
  console.log(`\nWake → first byte (one node/express tenant, ${ROUNDS} rounds; ingress = HTTPS through Caddy and the waker)\n`);
  console.log(table(rows));
  const paused = p95("paused → ingress");
  const ratio = p95("stopped → ingress") / p95("docker start → host port");
  console.log(`\ntarget p95 from paused ≤ 100 ms: ${paused.toFixed(0)} ms ${paused <= 100 ? "met" : "NOT met"}`);
  console.log(`target from stopped ≤ 1.3× docker start (p95): ${ratio.toFixed(2)}× ${ratio <= 1.3 ? "met" : "NOT met"}`);

  // 2. Memory of N idle tenants in each state.
  const names = [t.containerName];
  const ids: number[] = [];
  await spawnReady(stack, org.token, N - 1, "idle", ids);
  envIds.push(...ids);
  for (const id of ids) names.push((await stack.api(`/api/v1/tenant/${id}/status`, { token: org.token })).body.tenant.containerName);
  const all = [t.envId, ...ids];
  const mem: Array<Record<string, string | number>> = [];
  const measure = async (state: string) => {
    await new Promise((r) => setTimeout(r, 3_000)); // let the kernel settle its accounting
    mem.push({ state, "containers MB": await sumMemoryMb(names), "host used MB (vs start)": usedMemoryMb() - baseMb });
  };
  await measure("ready");
  for (let i = 0; i < all.length; i += 10) await Promise.all(all.slice(i, i + 10).map((id, j) => sleepTenant(id, names[i + j]!, "paused")));
  await measure("paused");
  for (let i = 0; i < all.length; i += 10) await Promise.all(all.slice(i, i + 10).map((id, j) => sleepTenant(id, names[i + j]!, "stopped")));
  await measure("stopped");
  console.log(`\nMemory of ${N} idle node/express tenants (TENANT_MEMORY_MB=128), same run\n`);
  console.log(table(mem));
} finally {
  console.error("cleaning up…");
  await destroyTenants(stack, org.token, envIds);
  await stack.stop();
}
