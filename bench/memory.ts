/**
 * `npm run bench:memory [N]`: resident memory (RSS) of the API and of a worker, running the
 * compiled build as production does (dist/, NODE_ENV=production), with N (default 100) ready
 * tenants: at start, once the tenants are ready, and after a minute of ordinary work on them
 * (health sweeps and reconciles every few seconds, every tenant's status read, the list, usage,
 * /metrics scraped and the queue dashboard opened on the operations listener, the API reference opened). Target: each < 150 MB.
 *
 * Also prints each process's V8 heap, used and committed, and external memory (Buffers) as Node
 * reports them on /metrics, to tell the JavaScript heap from the rest.
 */
import { readFileSync } from "node:fs";
import { freePort, waitFor } from "../tests/helpers/stack.js";
import { benchStack, buildCompiled, destroyTenants, spawnReady } from "./stack.js";
import { table } from "./stats.js";

const N = Number(process.argv[2] ?? 100);
const WORK_SECONDS = Number(process.argv[3] ?? 60);
const TARGET_MB = 150;
const ADMIN_TOKEN = "cvg_org_bench-memory-operator-0123456789abcdef";

buildCompiled();

/** Resident set size of a process, MB, from /proc. */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

const workerMetricsPort = await freePort();
const stack = await benchStack(
  "bench-memory",
  {
    TENANT_PORT_MIN: "7001",
    TENANT_PORT_MAX: "7999",
    TENANT_MEMORY_MB: "128",
    TENANT_CPUS: "0.25",
    LOG_LEVEL: "info",
    CONVERGENCE_ADMIN_TOKEN: ADMIN_TOKEN, // to open the queue dashboard
    WORKER_METRICS_PORT: String(workerMetricsPort),
    // The ordinary periodic work, more often than by default so a minute holds several rounds.
    HEALTH_INTERVAL_MS: "5000",
    RECONCILE_INTERVAL_MS: "5000",
  },
  { workers: 1, compiled: true },
);
const api = stack.apiProcess.pid!;
const worker = stack.workers[0]!.pid!;
const org = await stack.newOrg("bench-memory");
const envIds: number[] = [];

/** V8's heap (used, and committed) and memory outside it held by JS objects (Buffers), MB, from /metrics. */
async function heap(url: string): Promise<{ used: number; total: number; external: number }> {
  const text = await (await fetch(url)).text();
  const mb = (name: string) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)`, "m").exec(text);
    return m ? Number(m[1]) / 2 ** 20 : NaN;
  };
  return { used: mb("nodejs_heap_size_used_bytes"), total: mb("nodejs_heap_size_total_bytes"), external: mb("nodejs_external_memory_bytes") };
}

const rows: Array<Record<string, string | number>> = [];
async function sample(when: string) {
  const [a, w] = [await heap(`${stack.opsUrl}/metrics`), await heap(`http://127.0.0.1:${workerMetricsPort}/metrics`)];
  const mb = (x: { used: number; total: number; external: number }) => `${x.used.toFixed(0)}/${x.total.toFixed(0)}/${x.external.toFixed(0)}`;
  rows.push({ when, "API RSS MB": rssMb(api), "API heap used/total/external": mb(a), "worker RSS MB": rssMb(worker), "worker heap used/total/external": mb(w) });
}

try {
  await stack.waitForWorkers(1);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`).catch(() => null))?.ok, { timeoutMs: 30_000, what: "the worker's /metrics" });
  await sample("started, no tenants");
  console.error(`spawning ${N} tenants…`);
  const t0 = Date.now();
  await spawnReady(stack, org.token, N, "m", envIds);
  console.error(`${N} tenants ready in ${Math.round((Date.now() - t0) / 1000)} s`);
  await sample(`${N} tenants ready`);

  const until = Date.now() + WORK_SECONDS * 1000;
  while (Date.now() < until) {
    for (const id of envIds) await stack.api(`/api/v1/tenant/${id}/status`, { token: org.token });
    await stack.api("/api/v1/tenant?limit=100", { token: org.token });
    await stack.api("/api/v1/usage", { token: org.token });
    // Metrics and the queue dashboard are on the operations listener.
    const ops = (path: string) => fetch(`${stack.opsUrl}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).then((r) => r.arrayBuffer());
    await ops("/metrics");
    // The API reference and its script, as a browser loads them.
    const page = await stack.api("/docs");
    const script = /\/docs\/assets\/[\w.-]+\.js/.exec(String(page.body))?.[0];
    if (script) await stack.api(script, { headers: { "accept-encoding": "gzip" } });
    await ops("/admin/queues");
    await ops("/admin/queues/api/queues");
    await new Promise((r) => setTimeout(r, 2000));
  }
  await sample(`after ${WORK_SECONDS} s of work`);

  console.log(`\nResident memory, compiled build (NODE_ENV=production), ${N} ready tenants, one API and one worker\n`);
  console.log(table(rows));
  const last = rows.at(-1)!;
  const ok = (mb: number) => (mb < TARGET_MB ? "met" : "NOT met");
  console.log(
    `\ntarget < ${TARGET_MB} MB each: API ${(last["API RSS MB"] as number).toFixed(0)} MB ${ok(last["API RSS MB"] as number)}, worker ${(last["worker RSS MB"] as number).toFixed(0)} MB ${ok(last["worker RSS MB"] as number)}`,
  );
} finally {
  console.error("cleaning up…");
  await destroyTenants(stack, org.token, envIds);
  await stack.stop();
}
