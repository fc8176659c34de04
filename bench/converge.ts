/**
 * `npm run bench:converge [requests] [concurrency]`: throughput and latency of POST /api/v1/converge
 * with the offline provider, side by side, in the same run, with the same engine called in-process
 * (no HTTP, auth or metering). The difference is what the platform adds per call. The API runs
 * compiled, as in production; `CPU_PROF=<dir>` writes its CPU profile there.
 */
import { execFileSync } from "node:child_process";
import http from "node:http";
import { join } from "node:path";
import { projectRoot } from "../shared/config.js";
import { benchStack } from "./stack.js";
import { converge } from "../shared/convergence/engine.js";
import { OfflineProvider } from "../shared/convergence/providers/offline.js";

import { load as loadFor, summarise, table } from "./stats.js";

const REQUESTS = Number(process.argv[2] ?? 2000);
const CONCURRENCY = Number(process.argv[3] ?? 1);
const ROUNDS = Number(process.argv[4] ?? 3);
const input = { prompt: "Design a system", agentARole: "Architect", agentBRole: "Reviewer", maxRounds: 3 };

const load = (fn: () => Promise<void>) => loadFor(fn, REQUESTS, CONCURRENCY);

// METERING_DURABLE_COMMIT=true in the environment measures the fully durable variant.
// The API as production runs it: compiled (rebuilt first), NODE_ENV=production, LOG_LEVEL=info.
execFileSync(join(projectRoot, "node_modules/.bin/tsc"), ["-p", "tsconfig.build.json"], { cwd: projectRoot, stdio: "inherit" });
const apiNodeArgs = process.env.CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.CPU_PROF}`] : [];
const stack = await benchStack(
  "bench-converge",
  { LLM_BASE_URL: "", LOG_LEVEL: "info", METERING_DURABLE_COMMIT: process.env.METERING_DURABLE_COMMIT ?? "false" },
  { workers: 0, compiled: true, apiNodeArgs },
);
try {
  const org = await stack.newOrg("bench-converge");
  const spawned = await stack.api("/api/v1/tenant/spawn", { token: org.token, body: { name: "bench", language: "node", framework: "express" } });
  if (spawned.status !== 202) throw new Error(`spawn failed: ${JSON.stringify(spawned.body)}`);
  const key: string = spawned.body.tenant.apiKey;
  const body = JSON.stringify(input);
  // A lean keep-alive client (node:http), as a service calling the API would use; fetch adds
  // about half a millisecond of its own per call on this machine, which is not the server's.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const { port } = new URL(stack.url);
  const viaHttp = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        { host: "127.0.0.1", port, path: "/api/v1/converge", method: "POST", agent, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`converge answered ${res.statusCode}: ${Buffer.concat(chunks)}`))));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const provider = new OfflineProvider();
  const inProcess = async () => {
    await converge(provider, input);
  };

  // Warm up both paths (JIT, connection pools), then measure.
  for (let i = 0; i < 200; i++) await viaHttp();
  for (let i = 0; i < 200; i++) await inProcess();
  // Alternating rounds, so a burst of noise on this shared machine hits both sides alike.
  const hl: number[] = [];
  const el: number[] = [];
  const perRound: number[] = [];
  let hRps = 0;
  let eRps = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const h = await load(viaHttp);
    const e = await load(inProcess);
    hl.push(...h.latencies);
    el.push(...e.latencies);
    hRps += h.rps / ROUNDS;
    eRps += e.rps / ROUNDS;
    perRound.push(summarise(h.latencies).p50 - summarise(e.latencies).p50);
  }
  const h = { rps: hRps };
  const e = { rps: eRps };
  const hs = summarise(hl);
  const es = summarise(el);
  console.log(`\nPOST /api/v1/converge vs the engine in-process: ${ROUNDS} rounds × ${REQUESTS} calls, concurrency ${CONCURRENCY}, offline provider\n`);
  console.log(
    table([
      { path: "HTTP + auth + quota + metering", "req/s": Math.round(h.rps), "p50 ms": hs.p50, "p99 ms": hs.p99, "max ms": hs.max },
      { path: "engine in-process", "req/s": Math.round(e.rps), "p50 ms": es.p50, "p99 ms": es.p99, "max ms": es.max },
    ]),
  );
  const overhead = hs.p50 - es.p50;
  console.log(
    `\noverhead per call at p50: ${overhead.toFixed(2)} ms (rounds: ${perRound.map((x) => x.toFixed(2)).join(", ")}) (target < 2 ms → ${overhead < 2 ? "met" : "NOT met"}; stretch < 1 ms → ${overhead < 1 ? "met" : "NOT met"})`,
  );
  const [row] = await stack.sql`select count(*)::int as n from convergence_calls where env_id = ${spawned.body.tenant.envId}`;
  console.log(`metered calls recorded: ${row!.n} (expected ${REQUESTS * ROUNDS + 200})`);
  agent.destroy();
} finally {
  await stack.stop();
}
