/**
 * `npm run bench:health [N]`: with N (default 100) ready tenants, the wall time, CPU time and RSS
 * of one health sweep, side by side with the bare cost measured in the same run: one Docker list
 * call plus N plain HTTP probes with the same concurrency, from this script. Both run in this
 * process, alternately, so they see the same machine.
 */
import { benchStack, destroyTenants, spawnReady } from "./stack.js";
import { createWorkerContext } from "../worker/context.js";
import { parseConfig } from "../shared/config.js";
import { sweepHealth } from "../shared/tenants/health.js";
import { summarise, table } from "./stats.js";

const N = Number(process.argv[2] ?? 100);
const ROUNDS = Number(process.argv[3] ?? 7);

const stack = await benchStack("bench-health", {
  TENANT_PORT_MIN: "7001",
  TENANT_PORT_MAX: "7999",
  TENANT_MEMORY_MB: "128",
  TENANT_CPUS: "0.25",
  // The background sweeps must not run while we measure; the script runs them itself.
  HEALTH_INTERVAL_MS: String(3_600_000),
  LOG_LEVEL: "warn",
});
const ctx = createWorkerContext(parseConfig({ ...stack.env, LOG_LEVEL: "warn" }));
const org = await stack.newOrg("bench-health");
const envIds: number[] = [];

try {
  console.log(`spawning ${N} tenants…`);
  const t0 = Date.now();
  await spawnReady(stack, org.token, N, "h", envIds);
  console.log(`${N} tenants ready in ${Math.round((Date.now() - t0) / 1000)} s\n`);
  const ports = (await stack.sql<{ port: number }[]>`select port from tenants where env_id = any(${envIds})`).map((r) => r.port);

  const bare = async () => {
    await ctx.runtime.listOwned();
    let next = 0;
    await Promise.all(
      Array.from({ length: ctx.config.HEALTH_CONCURRENCY }, async () => {
        while (next < ports.length) {
          const port = ports[next++];
          const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
          await res.body?.cancel();
        }
      }),
    );
  };
  const sweep = async () => {
    const r = await sweepHealth(ctx);
    if (r.healthy !== N) throw new Error(`sweep saw ${r.healthy}/${N} healthy`);
  };

  type Sample = { ms: number; cpuMs: number; rssMb: number };
  const measure = async (fn: () => Promise<void>): Promise<Sample> => {
    const cpu = process.cpuUsage();
    const t = performance.now();
    await fn();
    const ms = performance.now() - t;
    const used = process.cpuUsage(cpu);
    return { ms, cpuMs: (used.user + used.system) / 1000, rssMb: process.memoryUsage().rss / 2 ** 20 };
  };
  await sweep();
  await bare(); // warm-up
  const s: Sample[] = [];
  const b: Sample[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    s.push(await measure(sweep));
    b.push(await measure(bare));
  }
  const row = (name: string, xs: Sample[]) => ({
    path: name,
    "wall p50 ms": summarise(xs.map((x) => x.ms)).p50,
    "wall max ms": summarise(xs.map((x) => x.ms)).max,
    "cpu p50 ms": summarise(xs.map((x) => x.cpuMs)).p50,
    "rss MB": summarise(xs.map((x) => x.rssMb)).max,
  });
  const sw = row("health sweep (list + probes + state writes)", s);
  const br = row("bare: 1 docker list + plain probes", b);
  console.log(`one health sweep of ${N} ready tenants, ${ROUNDS} rounds each, concurrency ${ctx.config.HEALTH_CONCURRENCY}\n`);
  console.log(table([sw, br]));
  const ratio = sw["wall p50 ms"] / br["wall p50 ms"];
  console.log(`\nratio (wall p50): ${ratio.toFixed(2)}  cpu ratio: ${(sw["cpu p50 ms"] / br["cpu p50 ms"]).toFixed(2)}`);
  console.log(`target: sweep < 1000 ms and ≤ 1.5× bare → ${sw["wall p50 ms"] < 1000 && ratio <= 1.5 ? "met" : "NOT met"}`);
} finally {
  console.log("\ncleaning up…");
  await destroyTenants(stack, org.token, envIds);
  for (const c of await ctx.runtime.listOwned()) await ctx.runtime.remove(c.name);
  await ctx.close();
  await stack.stop();
}
