/**
 * `npm run chaos`: fault injection against a running stack (`npm start`, configured by the same
 * environment and .env), with a table of what each fault cost: tenants involved, tenants lost,
 * anything duplicated, and the time until everything was as it should be again.
 *
 * Trials: SIGKILL of the workers in the middle of provisioning (×3), SIGKILL of only the worker
 * holding a provision job while a second one runs (×3; `npm run worker` starts the second), Redis FLUSHALL with tenants
 * pending, a Postgres restart while tenants provision, a dockerd restart with ready tenants, and a
 * webhook receiver that is down for a while and then back (every event delivered exactly once).
 * Exit status 0 only when nothing was lost or duplicated and every trial ran.
 * `npm run chaos -- dockerd` runs only the trials whose names contain the words given.
 *
 * The stack must restart killed workers (npm start's supervisor does) and accept webhooks to
 * 127.0.0.1 for the webhook trial; fast retries make that trial short:
 *   WEBHOOK_ALLOWED_HOSTS=127.0.0.1 WEBHOOK_BACKOFF_MS=1000 npm start
 * It needs root (it restarts Postgres and dockerd) and talks only to this machine.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, openSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import Docker from "dockerode";
import { and, eq, inArray, sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { loadConfig } from "../shared/config.js";
import { createDb } from "../shared/db/client.js";
import { tenantEvents, tenants, webhookEvents } from "../shared/db/schema.js";
import { createOrganisation } from "../shared/orgs.js";
import { labelKeys } from "../shared/runtime/types.js";

const config = loadConfig();
const api = `http://127.0.0.1:${config.PORT}`;
const { db, sql: pg } = createDb(config.DATABASE_URL, 2);
const docker = new Docker({ socketPath: config.DOCKER_SOCKET });
const TRIAL_TIMEOUT_MS = 180_000;

interface TrialResult {
  trial: string;
  tenants: number;
  lost: number;
  duplicated: number;
  recoverS: number | null;
  note: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => console.error(`[chaos] ${msg}`);

// --- the API, as a client sees it (retrying through the outages the trials cause) ---------------

let token = "";

async function call<T = any>(path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(api + path, {
    method: init.method ?? (init.body ? "POST" : "GET"),
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: init.body ? JSON.stringify(init.body) : undefined,
    signal: AbortSignal.timeout(70_000),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as T };
}

/** Tenants this run spawned and has not destroyed yet: whatever a trial leaves (it failed half-way) is destroyed after it. */
const live = new Set<number>();

async function spawnTenant(name: string, webhookUrl?: string): Promise<number> {
  const r = await call("/api/v1/tenant/spawn", { body: { name, language: "node", framework: "express", ...(webhookUrl ? { webhookUrl } : {}) } });
  if (r.status !== 202) throw new Error(`spawn ${name}: ${r.status} ${JSON.stringify(r.body?.error ?? r.body)}`);
  live.add(r.body.tenant.envId);
  return r.body.tenant.envId;
}

/** Holds `?wait=` requests until every tenant is in `status` (or the deadline passes); 5xx answers are retried. */
async function waitAll(ids: number[], status: string, deadline: number): Promise<Map<number, string>> {
  const last = new Map<number, string>();
  await Promise.all(
    ids.map(async (id) => {
      while (Date.now() < deadline) {
        const r = await call(`/api/v1/tenant/${id}/status?wait=${status}&timeout=30`).catch(() => null);
        const s = r?.status === 200 ? (r.body.tenant.status as string) : undefined;
        if (s) last.set(id, s);
        if (s === status || s === "failed" || s === "destroyed") return;
        if (!r || r.status >= 500) await sleep(500);
      }
    }),
  );
  return last;
}

async function destroyAll(ids: number[]) {
  for (const id of ids) await call(`/api/v1/tenant/${id}`, { method: "DELETE" }).catch(() => {});
  await waitAll(ids, "destroyed", Date.now() + 120_000);
  for (const id of ids) live.delete(id);
}

// --- what the platform owns, read directly -------------------------------------------------------

async function containersOf(envId: number) {
  return docker.listContainers({
    all: true,
    filters: { label: [`${labelKeys.owner}=${config.CONVERGENCE_INSTANCE}`, `${labelKeys.envId}=${envId}`] },
  });
}

/** Tenants that do not answer on their port with exactly one running container. */
async function notServing(ids: number[]): Promise<number[]> {
  const rows = await db.select().from(tenants).where(inArray(tenants.envId, ids));
  const bad: number[] = [];
  for (const t of rows) {
    const running = (await containersOf(t.envId)).filter((c) => c.State === "running");
    const ok =
      t.status === "ready" &&
      running.length === 1 &&
      (await fetch(`http://${config.TENANT_PROBE_HOST}:${t.port}/health`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      ));
    if (!ok) bad.push(t.envId);
  }
  return bad;
}

/** Extra containers for a tenant, or two live tenants on one port. */
async function duplicates(ids: number[]): Promise<number> {
  let dup = 0;
  for (const id of ids) dup += Math.max(0, (await containersOf(id)).length - 1);
  const [{ n } = { n: 0 }] = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from (select port from tenants
      where status in ('pending','provisioning','starting','ready','unhealthy') and port is not null
      group by port having count(*) > 1) p`);
  return dup + n;
}

/** Waits until every tenant is ready and serving; returns the time that took, or null. */
async function recovery(ids: number[], since: number): Promise<{ lost: number[]; recoverS: number | null }> {
  const deadline = since + TRIAL_TIMEOUT_MS;
  await waitAll(ids, "ready", deadline);
  let bad = await notServing(ids);
  while (bad.length && Date.now() < deadline) {
    await sleep(500);
    bad = await notServing(ids);
  }
  return { lost: bad, recoverS: bad.length ? null : (Date.now() - since) / 1000 };
}

// --- faults ----------------------------------------------------------------------------------

/**
 * Processes matching `pattern` that belong to this stack: their environment names the same
 * database and queue prefix. Other stacks on the machine (other checkouts, test suites) run the
 * same scripts and must not be touched.
 */
function pids(pattern: string): number[] {
  let all: number[] = [];
  try {
    all = execFileSync("pgrep", ["-f", pattern], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
  const ours = (pid: number) => {
    try {
      const env = new Set(readFileSync(`/proc/${pid}/environ`, "utf8").split("\0"));
      return env.has(`DATABASE_URL=${config.DATABASE_URL}`) && (env.has(`QUEUE_PREFIX=${config.QUEUE_PREFIX}`) || ![...env].some((e) => e.startsWith("QUEUE_PREFIX=")));
    } catch {
      return false; // gone, or not ours to read
    }
  };
  return all.filter(ours);
}

function restartPostgres() {
  const clusters = existsSync("/usr/bin/pg_lsclusters") ? execFileSync("pg_lsclusters", ["-h"], { encoding: "utf8" }).trim().split("\n") : [];
  const online = clusters.map((l) => l.split(/\s+/)).find((f) => f[3] === "online");
  if (online) return execFileSync("pg_ctlcluster", [online[0]!, online[1]!, "restart"], { stdio: "ignore" });
  execFileSync("systemctl", ["restart", "postgresql"], { stdio: "ignore" });
}

async function restartDocker() {
  const pidFile = "/var/run/docker.pid";
  if (existsSync("/run/systemd/system")) {
    execFileSync("systemctl", ["restart", "docker"], { stdio: "ignore" });
  } else {
    // Started by scripts/setup.sh (no init system): stop it and start it again the same way.
    const pid = Number(readFileSync(pidFile, "utf8"));
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    process.kill(pid, "SIGTERM");
    for (let i = 0; i < 120 && existsSync(`/proc/${pid}`); i++) await sleep(250);
    const out = openSync("/var/log/convergence-dockerd.log", "a");
    spawn(cmdline[0]!, cmdline.slice(1), { detached: true, stdio: ["ignore", out, out] }).unref();
  }
  for (let i = 0; i < 120; i++) {
    if (
      await docker.ping().then(
        () => true,
        () => false,
      )
    )
      return;
    await sleep(500);
  }
  throw new Error("dockerd did not come back within 60 s");
}

// --- trials ----------------------------------------------------------------------------------

async function killWorkersMidProvision(round: number): Promise<TrialResult> {
  const trial = `SIGKILL workers mid-provision #${round}`;
  const id = await spawnTenant(`chaos-kill-${round}`);
  const deadline = Date.now() + 60_000;
  let status = "";
  while (Date.now() < deadline) {
    [{ status } = { status: "" }] = await db.select({ status: tenants.status }).from(tenants).where(eq(tenants.envId, id));
    if (status === "provisioning" || status === "starting" || status === "ready") break;
    await sleep(5);
  }
  const victims = pids("worker/main\\.(js|ts)");
  for (const pid of victims) process.kill(pid, "SIGKILL");
  const since = Date.now();
  const { lost, recoverS } = await recovery([id], since);
  const result = { trial, tenants: 1, lost: lost.length, duplicated: await duplicates([id]), recoverS, note: `killed ${victims.length} worker(s) while ${status}` };
  await destroyAll([id]);
  return result;
}

/**
 * SIGKILL of only the worker running a tenant's provision job, while another worker of the stack
 * runs (start one with `npm run worker`): the other takes the job over once its lock has expired
 * (WORKER_LOCK_MS, WORKER_STALLED_INTERVAL_MS), with no restart in the way.
 */
async function killJobHolder(round: number): Promise<TrialResult> {
  const trial = `SIGKILL the worker holding a provision job #${round}`;
  const workers = pids("worker/main\\.(js|ts)");
  if (workers.length < 2) throw new Error(`needs two workers of this stack, found ${workers.length}: start another with npm run worker`);
  const id = await spawnTenant(`chaos-holder-${round}`);
  // The worker that moved the tenant first holds its job: the tenant's events name it.
  const deadline = Date.now() + 60_000;
  let moved: { actor: string; toStatus: string } | undefined;
  while (!moved && Date.now() < deadline) {
    [moved] = await db
      .select({ actor: tenantEvents.actor, toStatus: tenantEvents.toStatus })
      .from(tenantEvents)
      .where(and(eq(tenantEvents.envId, id), eq(tenantEvents.toStatus, "provisioning")));
    if (!moved) await sleep(5);
  }
  const holder = Number(moved?.actor.split(":").at(-1));
  if (!workers.includes(holder)) throw new Error(`the job's worker (${moved?.actor ?? "none seen"}) is not one of this stack's workers`);
  const [{ status } = { status: "" }] = await db.select({ status: tenants.status }).from(tenants).where(eq(tenants.envId, id));
  process.kill(holder, "SIGKILL");
  const since = Date.now();
  const { lost, recoverS } = await recovery([id], since);
  const result = { trial, tenants: 1, lost: lost.length, duplicated: await duplicates([id]), recoverS, note: `killed 1 of ${workers.length} workers while ${status}` };
  await destroyAll([id]);
  return result;
}

async function flushRedisWithPending(): Promise<TrialResult> {
  const ids = await Promise.all([0, 1, 2].map((i) => spawnTenant(`chaos-flush-${i}`)));
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3 });
  await redis.flushall();
  redis.disconnect();
  const since = Date.now();
  const { lost, recoverS } = await recovery(ids, since);
  const result = { trial: "Redis FLUSHALL with tenants pending", tenants: ids.length, lost: lost.length, duplicated: await duplicates(ids), recoverS, note: "" };
  await destroyAll(ids);
  return result;
}

async function restartPostgresWhileProvisioning(): Promise<TrialResult> {
  const ids = await Promise.all([0, 1, 2].map((i) => spawnTenant(`chaos-pg-${i}`)));
  restartPostgres();
  const since = Date.now();
  const { lost, recoverS } = await recovery(ids, since);
  const result = { trial: "Postgres restart while provisioning", tenants: ids.length, lost: lost.length, duplicated: await duplicates(ids), recoverS, note: "" };
  await destroyAll(ids);
  return result;
}

async function restartDockerWithReady(): Promise<TrialResult> {
  const ids = await Promise.all([0, 1, 2].map((i) => spawnTenant(`chaos-docker-${i}`)));
  const ready = await recovery(ids, Date.now());
  if (ready.lost.length) throw new Error(`tenants ${ready.lost.join(", ")} never became ready before the fault`);
  await restartDocker();
  const since = Date.now();
  const { lost, recoverS } = await recovery(ids, since);
  const result = { trial: "dockerd restart with ready tenants", tenants: ids.length, lost: lost.length, duplicated: await duplicates(ids), recoverS, note: "" };
  await destroyAll(ids);
  return result;
}

async function webhookReceiverDown(): Promise<TrialResult> {
  const receipts = new Map<string, number>();
  let server: Server | null = null;
  const listen = (port: number) =>
    new Promise<Server>((resolve) => {
      const s = createServer((req, res) => {
        req.resume();
        req.on("end", () => {
          const id = String(req.headers["webhook-id"]);
          receipts.set(id, (receipts.get(id) ?? 0) + 1);
          res.writeHead(200).end();
        });
      });
      s.listen(port, "127.0.0.1", () => resolve(s));
    });
  server = await listen(0);
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server!.close(r)); // down: nothing listens on the port now
  const id = await spawnTenant("chaos-webhook", `http://127.0.0.1:${port}/hooks`);
  await waitAll([id], "ready", Date.now() + 60_000);
  await call(`/api/v1/tenant/${id}`, { method: "DELETE" });
  await waitAll([id], "destroyed", Date.now() + 60_000);
  await sleep(3_000); // let a few delivery attempts fail against the closed port
  server = await listen(port);
  const since = Date.now();
  const events = async () => db.select().from(webhookEvents).where(eq(webhookEvents.envId, id));
  let pending = await events();
  while (pending.some((e) => e.status === "pending") && Date.now() < since + TRIAL_TIMEOUT_MS) {
    await sleep(250);
    pending = await events();
  }
  await sleep(1_000); // a late duplicate would arrive now
  server.close();
  const delivered = pending.filter((e) => e.status === "delivered" && receipts.get(e.id) === 1).length;
  const duplicated = [...receipts.values()].filter((n) => n > 1).length;
  const attempts = pending.reduce((a, e) => a + e.attempts, 0);
  return {
    trial: "webhook receiver down, then back",
    tenants: 1,
    lost: pending.length - delivered - duplicated,
    duplicated,
    recoverS: pending.every((e) => e.status === "delivered") ? (Date.now() - since - 1_000) / 1000 : null,
    note: `${pending.length} events, ${attempts} attempts`,
  };
}

// --- run --------------------------------------------------------------------------------------

if (process.getuid?.() !== 0) {
  console.error("npm run chaos restarts Postgres and dockerd: run it as root");
  process.exit(64);
}
if (
  !(await fetch(`${api}/readyz`).then(
    (r) => r.ok,
    () => false,
  ))
) {
  console.error(`no ready stack answers at ${api}: start one first (WEBHOOK_ALLOWED_HOSTS=127.0.0.1 WEBHOOK_BACKOFF_MS=1000 npm start)`);
  process.exit(69);
}

const trials: Array<[string, () => Promise<TrialResult>]> = [
  ["SIGKILL workers mid-provision #1", () => killWorkersMidProvision(1)],
  ["SIGKILL workers mid-provision #2", () => killWorkersMidProvision(2)],
  ["SIGKILL workers mid-provision #3", () => killWorkersMidProvision(3)],
  ["SIGKILL the worker holding a provision job #1", () => killJobHolder(1)],
  ["SIGKILL the worker holding a provision job #2", () => killJobHolder(2)],
  ["SIGKILL the worker holding a provision job #3", () => killJobHolder(3)],
  ["Redis FLUSHALL with tenants pending", flushRedisWithPending],
  ["Postgres restart while provisioning", restartPostgresWhileProvisioning],
  ["dockerd restart with ready tenants", restartDockerWithReady],
  ["webhook receiver down, then back", webhookReceiverDown],
];
const only = process.argv.slice(2).map((w) => w.toLowerCase());
const chosen = trials.filter(([name]) => only.every((w) => name.toLowerCase().includes(w)));
if (chosen.length === 0) {
  console.error(`no trial's name contains ${only.map((w) => `"${w}"`).join(" and ")}; the trials are:\n${trials.map(([n]) => `  ${n}`).join("\n")}`);
  process.exit(64);
}
const { org, token: orgToken } = await createOrganisation(db, `chaos-${new Date().toISOString()}`);
token = orgToken;
log(`organisation ${org.id} created for this run`);
const results: TrialResult[] = [];
for (const [name, run] of chosen) {
  log(`${name}…`);
  try {
    results.push(await run());
  } catch (err) {
    results.push({ trial: name, tenants: 0, lost: 0, duplicated: 0, recoverS: null, note: `did not run: ${(err as Error).message}` });
  }
  if (live.size) await destroyAll([...live]);
  const r = results.at(-1)!;
  log(`${name}: lost ${r.lost}, duplicated ${r.duplicated}, recovered ${r.recoverS === null ? "—" : `${r.recoverS.toFixed(1)} s`} ${r.note}`);
}

const header = ["trial", "tenants", "lost", "duplicated", "recover s", "note"];
const rows = results.map((r) => [r.trial, String(r.tenants), String(r.lost), String(r.duplicated), r.recoverS === null ? "—" : r.recoverS.toFixed(1), r.note]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
for (const row of [header, ...rows]) console.log(row.map((c, i) => (i >= 1 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  "));

await pg.end({ timeout: 5 });
const failed = results.some((r) => r.lost > 0 || r.duplicated > 0 || r.recoverS === null);
process.exit(failed ? 1 : 0);
