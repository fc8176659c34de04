/**
 * `npm run bench:converge [requests] [concurrency]`: throughput and latency of POST /api/v1/converge
 * with the offline provider, side by side, in the same run, with the same engine called in-process
 * (no HTTP, auth or metering). The difference is what the platform adds per call.
 */
import { benchStack } from "./stack.js";
import { converge } from "../shared/convergence/engine.js";
import { OfflineProvider } from "../shared/convergence/providers/offline.js";

import { summarise, table } from "./stats.js";

const REQUESTS = Number(process.argv[2] ?? 2000);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const input = { prompt: "Design a system", agentARole: "Architect", agentBRole: "Reviewer", maxRounds: 3 };

async function load(fn: () => Promise<void>): Promise<{ rps: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) {
        const s = performance.now();
        await fn();
        latencies.push(performance.now() - s);
      }
    }),
  );
  return { rps: (REQUESTS / (performance.now() - t0)) * 1000, latencies };
}

const stack = await benchStack("bench-converge", { LLM_BASE_URL: "" }, { workers: 0 });
try {
  const org = await stack.newOrg("bench-converge");
  const spawned = await stack.api("/api/v1/tenant/spawn", { token: org.token, body: { name: "bench", language: "node", framework: "express" } });
  if (spawned.status !== 202) throw new Error(`spawn failed: ${JSON.stringify(spawned.body)}`);
  const key: string = spawned.body.tenant.apiKey;
  const body = JSON.stringify(input);
  const http = async () => {
    const res = await fetch(`${stack.url}/api/v1/converge`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body });
    if (res.status !== 200) throw new Error(`converge answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  const provider = new OfflineProvider();
  const inProcess = async () => {
    await converge(provider, input);
  };

  // Warm up both paths (JIT, connection pools), then measure.
  for (let i = 0; i < 200; i++) await http();
  for (let i = 0; i < 200; i++) await inProcess();
  const h = await load(http);
  const e = await load(inProcess);
  const hs = summarise(h.latencies);
  const es = summarise(e.latencies);
  console.log(`\nPOST /api/v1/converge vs the engine in-process: ${REQUESTS} calls, concurrency ${CONCURRENCY}, offline provider\n`);
  console.log(
    table([
      { path: "HTTP + auth + quota + metering", "req/s": Math.round(h.rps), "p50 ms": hs.p50, "p99 ms": hs.p99, "max ms": hs.max },
      { path: "engine in-process", "req/s": Math.round(e.rps), "p50 ms": es.p50, "p99 ms": es.p99, "max ms": es.max },
    ]),
  );
  const overhead = hs.p50 - es.p50;
  console.log(`\noverhead per call at p50: ${overhead.toFixed(2)} ms (target < 2 ms → ${overhead < 2 ? "met" : "NOT met"})`);
  const [row] = await stack.sql`select count(*)::int as n from convergence_calls where env_id = ${spawned.body.tenant.envId}`;
  console.log(`metered calls recorded: ${row!.n} (expected ${REQUESTS + 200})`);
} finally {
  await stack.stop();
}
