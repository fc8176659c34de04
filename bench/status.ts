/**
 * `npm run bench:status [seconds] [connections] [rounds]`: the product's hottest path,
 * GET /api/v1/tenant/:id/status, with an organisation token and with an access token (JWT), next
 * to a bare Hono + postgres.js handler running the same query on the same database (bench/bare-server.ts);
 * and /healthz next to a bare Hono hello. Same run, same client: wrk, 1 thread, 50 connections
 * (defaults), rounds alternating between the five so noise on this shared machine hits each alike;
 * the figures are the medians over rounds.
 *
 * The API runs as production runs it: compiled (dist/, rebuilt first), NODE_ENV=production,
 * LOG_LEVEL=info (every request is logged, to a pipe read by this script), its metrics and auth on.
 *
 * `CPU_PROF=<dir> npm run bench:status` also writes the API's and the bare server's CPU profiles there (node --cpu-prof),
 * when the API exits at the end: open it in Chrome's DevTools or summarise it with
 * `npx tsx bench/profile-summary.ts <file>`. `ONLY=<text>,…` runs only the variants whose name has one
 * of them (e.g. `ONLY="organisation token"`), so a profile shows one path and no idle time.
 */
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { projectRoot } from "../shared/config.js";
import { freePort, waitFor } from "../tests/helpers/stack.js";
import { benchStack, buildCompiled } from "./stack.js";
import { table } from "./stats.js";
import { cpuMs, requireWrk, wrk, type WrkResult } from "./wrk.js";

const SECONDS = Number(process.argv[2] ?? 10);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.argv[4] ?? 3);
const THREADS = 1;

requireWrk();
buildCompiled();
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
const loadBefore = load();

const apiNodeArgs = process.env.CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.CPU_PROF}`] : [];
const stack = await benchStack("bench-status", { LOG_LEVEL: "info" }, { workers: 0, compiled: true, apiNodeArgs });
const barePort = await freePort();
let bare: ReturnType<typeof spawn> | undefined;
try {
  const org = await stack.newOrg("bench-status");
  const spawned = await stack.api("/api/v1/tenant/spawn", { token: org.token, body: { name: "bench", language: "node", framework: "express" } });
  if (spawned.status !== 202) throw new Error(`spawn failed: ${JSON.stringify(spawned.body)}`);
  const envId: number = spawned.body.tenant.envId;
  const minted = await stack.api("/api/v1/auth/token", { token: org.token, body: { scopes: ["tenants:read"] } });
  if (minted.status !== 200) throw new Error(`token: ${JSON.stringify(minted.body)}`);
  const jwt: string = minted.body.token;

  bare = spawn(process.execPath, [...apiNodeArgs, "--import", "tsx", "bench/bare-server.ts"], {
    cwd: projectRoot,
    env: { ...process.env, NODE_ENV: "production", PORT: String(barePort), DATABASE_URL: stack.config.DATABASE_URL, ORG_ID: String(org.id) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const bareUrl = `http://127.0.0.1:${barePort}`;
  await waitFor(async () => (await fetch(`${bareUrl}/hello`).catch(() => null))?.ok, { timeoutMs: 30_000, what: "the bare server" });
  // The bare handler must answer the same row as the product.
  const [product, floor] = await Promise.all([
    stack.api(`/api/v1/tenant/${envId}/status`, { token: org.token }),
    fetch(`${bareUrl}/status/${envId}`).then((r) => r.json() as Promise<{ tenant: { env_id: number } }>),
  ]);
  if (product.body.tenant.envId !== floor.tenant.env_id) throw new Error("the bare handler read another row");

  const bareSelect = "bare: Hono + postgres.js select";
  const bareHello = "bare: Hono hello";
  const statusUrl = `${stack.url}/api/v1/tenant/${envId}/status`;
  /** Each variant with the bare one it is compared with. */
  const api = stack.apiProcess.pid!;
  const floorPid = bare.pid!;
  const variants: Record<string, { url: string; headers?: Record<string, string>; floor: string; pid: number }> = {
    "status, organisation token": { url: statusUrl, headers: { authorization: `Bearer ${org.token}` }, floor: bareSelect, pid: api },
    "status, access token (JWT)": { url: statusUrl, headers: { authorization: `Bearer ${jwt}` }, floor: bareSelect, pid: api },
    [bareSelect]: { url: `${bareUrl}/status/${envId}`, floor: bareSelect, pid: floorPid },
    "/healthz": { url: `${stack.url}/healthz`, floor: bareHello, pid: api },
    [bareHello]: { url: `${bareUrl}/hello`, floor: bareHello, pid: floorPid },
  };
  const only = process.env.ONLY?.split(",");
  if (only) for (const k of Object.keys(variants)) if (!only.some((o) => k.includes(o))) delete variants[k];
  /** One wrk run, with the server process's CPU time per request (user + system: its share of the two cores). */
  const run = async (v: { url: string; headers?: Record<string, string>; pid: number }, seconds: number) => {
    const cpu = cpuMs(v.pid);
    const result = await wrk(v.url, { threads: THREADS, connections: CONNECTIONS, seconds, headers: v.headers });
    return { ...result, cpuUs: ((cpuMs(v.pid) - cpu) * 1000) / result.requests };
  };

  for (const v of Object.values(variants)) await run(v, 2); // warm-up: JIT, pools, caches
  const results: Record<string, Array<WrkResult & { cpuUs: number }>> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, v] of Object.entries(variants)) results[name]!.push(await run(v, SECONDS));
    console.error(`round ${r + 1}/${ROUNDS} done (load ${load()})`);
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rps = (name: string) => (results[name] ? median(results[name].map((x) => x.rps)) : NaN);
  const ratio = (name: string) => (variants[name] ? rps(name) / rps(variants[name].floor) : NaN);
  console.log(
    `\nGET /api/v1/tenant/:id/status and /healthz vs bare handlers: wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s, ` +
      `${ROUNDS} alternating rounds, medians (API compiled, NODE_ENV=production, LOG_LEVEL=info)\n`,
  );
  console.log(
    table(
      Object.entries(results).map(([name, rs]) => ({
        variant: name,
        "req/s": Math.round(rps(name)),
        "p50 ms": median(rs.map((x) => x.p50)),
        "p99 ms": median(rs.map((x) => x.p99)),
        "server CPU µs/req": median(rs.map((x) => x.cpuUs)),
        "× bare": Number.isNaN(ratio(name)) ? "-" : ratio(name),
        "req/s per round": rs.map((x) => Math.round(x.rps)).join(" "),
      })),
    ),
  );
  const targets = ["status, organisation token", "status, access token (JWT)", "/healthz"].filter((n) => !Number.isNaN(ratio(n)));
  if (targets.length) {
    console.log(`\ntargets (≥ 0.8× bare): ${targets.map((n) => `${n} ${ratio(n).toFixed(2)} ${ratio(n) >= 0.8 ? "met" : "NOT met"}`).join(", ")}`);
  }
  console.log(`load average before: ${loadBefore}, after: ${load()} (2 cores, shared)`);
} finally {
  bare?.kill("SIGTERM");
  await stack.stop();
}
