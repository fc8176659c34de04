/**
 * A real stack for a test file: the API and workers as child processes against the real
 * Postgres (test database), Redis (a queue prefix of its own) and Docker engine (containers
 * named and labelled for tests). Each file gets its own stack, organisations and tenants.
 *
 * Every stack of a test run shares one tenant network (global-setup claims its subnet once per
 * run), and has its own ports: the API's, the operations listener's and the ingress's, with its
 * own servers in the machine's shared Caddy (named `<TEST_OWNER>.<stack>-<pid>`).
 *
 * Clean-up runs whether a test passes or fails: a tenant spawned inside a test is destroyed when
 * the test finishes (spawnViaApi registers it with onTestFinished), and stop() removes any
 * container left to the stack's organisations and the stack's Caddy servers. Only the stack's own
 * Redis keys are ever deleted.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import Docker from "dockerode";
import { Redis } from "ioredis";
import { inject, onTestFinished } from "vitest";
import { loadDotEnv, parseConfig, projectRoot, type Config } from "../../shared/config.js";
import { createDb } from "../../shared/db/client.js";
import { createIngress } from "../../shared/ingress/index.js";
import { createQueues, type Queues } from "../../shared/jobs.js";
import { nodeFlags } from "../../shared/node-flags.js";
import { createOrganisation } from "../../shared/orgs.js";
import { DockerRuntime } from "../../shared/runtime/docker/index.js";
import { labelKeys } from "../../shared/runtime/types.js";
import { freeSubnet } from "./tenants.js";

// TEST_INSTANCE lets several suites share one machine (own owner label, container names, ports).
const instance = process.env.TEST_INSTANCE ? `-${process.env.TEST_INSTANCE}` : "";
export const TEST_OWNER = `convergence-test${instance}`;
export const TEST_CONTAINER_PREFIX = `cvgtest${instance}-tenant-`;
/** Stacks name their servers in the shared Caddy with this prefix (global setup removes an aborted run's). */
export const STACK_INGRESS_PREFIX = `${TEST_OWNER}.`;
/** Where tenant subnets of test runs (and of stacks outside vitest) come from: a /22 each. */
export const TEST_SUBNETS = { prefix: 22, within: "10.212.0.0/16" };
/** Every child process's output, one directory per test instance (global setup empties it each run). */
export const logDir = join(projectRoot, ".test-logs", process.env.TEST_INSTANCE || "default");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export function testEnv(): NodeJS.ProcessEnv {
  loadDotEnv();
  if (!process.env.TEST_DATABASE_URL) throw new Error("TEST_DATABASE_URL is not set; run `npm test` (scripts/setup.sh writes it)");
  return { ...process.env, DATABASE_URL: process.env.TEST_DATABASE_URL };
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface Stack {
  name: string;
  url: string;
  /** The API's operations listener: /metrics and /admin/queues. */
  opsUrl: string;
  config: Config;
  env: NodeJS.ProcessEnv;
  db: ReturnType<typeof createDb>["db"];
  sql: ReturnType<typeof createDb>["sql"];
  redis: Redis;
  /** The job catalog's queues under this stack's prefix, to look at jobs. */
  queues: Queues;
  docker: Docker;
  /**
   * One HTTP call to the API. `timeoutMs` bounds the wait for the answer (the call throws past
   * it): a deadline on behaviour, e.g. "a held request is woken long before its own timeout".
   */
  api<T = any>(path: string, init?: { method?: string; token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; timeoutMs?: number }): Promise<ApiResponse<T>>;
  newOrg(name?: string): Promise<{ id: number; token: string }>;
  startWorker(extraEnv?: NodeJS.ProcessEnv): ChildProcess;
  /** SIGTERM to every running worker; resolves once they have exited. */
  stopWorkers(): Promise<void>;
  /** How many worker processes are running now. */
  runningWorkers(): number;
  /** Resolves once exactly `count` workers take jobs from every queue (a started worker is up, a stopped one gone). */
  waitForWorkers(count: number): Promise<void>;
  workers: ChildProcess[];
  /** The API process (benchmarks read its CPU time and memory). */
  apiProcess: ChildProcess;
  /** Another API process on the same database and Redis (several API processes share the work). */
  startExtraApi(): Promise<{ url: string; proc: ChildProcess }>;
  /** Another API process on the same database and Redis (several API processes share the work), with its own ports. */
  startExtraApi(extraEnv?: NodeJS.ProcessEnv): Promise<{ url: string; opsUrl: string; proc: ChildProcess }>;
  stop(): Promise<void>;
}

/**
 * Runs `script` (a .ts path) from source through tsx, or, with `compiled`, its build in dist/ as
 * production runs it, with production's node flags (benchmarks: `npm run build` first).
 */
function startProcess(name: "api" | "worker", script: string, env: NodeJS.ProcessEnv, logFile: string, compiled = false, nodeArgs: string[] = []): ChildProcess {
  const out = createWriteStream(logFile, { flags: "a" });
  const args = compiled ? [...nodeFlags[name], ...nodeArgs, join("dist", script.replace(/\.ts$/, ".js"))] : [...nodeArgs, "--import", "tsx", script];
  const child = spawn(process.execPath, args, { cwd: projectRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  // Both streams feed one file, which neither may end: the first to end would close it under the
  // other (and under the exit line below: "write after end"). It ends once the process and both are done.
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  child.on("close", (code, signal) => out.end(`\n[${name} exited code=${code} signal=${signal}]\n`));
  return child;
}

/** The tenant subnet this vitest run's stacks share (tests/global-setup.ts); null outside vitest (benchmarks). */
function runSubnet(): string | null {
  try {
    return inject("tenantSubnet") ?? null;
  } catch {
    return null;
  }
}

/**
 * The environment of a test stack's processes: the test database, a queue prefix, test names,
 * the run's tenant network, and ports of its own (operations listener, ingress).
 */
export async function stackEnv(name: string, port: number, overrides: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const [opsPort, httpsPort, httpPort, wakerPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const subnet = runSubnet() ?? (await freeSubnet(new Docker(), TEST_SUBNETS));
  return {
    ...testEnv(),
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    PORT: String(port),
    QUEUE_PREFIX: `cvgtest-${name}-${process.pid}`,
    TENANT_CONTAINER_PREFIX: TEST_CONTAINER_PREFIX,
    CONVERGENCE_INSTANCE: TEST_OWNER,
    TENANT_PORT_MIN: process.env.TEST_PORT_MIN ?? "4001",
    TENANT_PORT_MAX: process.env.TEST_PORT_MAX ?? "4999",
    TENANT_NETWORK_SUBNET: subnet,
    OPS_PORT: String(opsPort),
    WAKER_PORT: String(wakerPort),
    INGRESS_NAME: `${STACK_INGRESS_PREFIX}${name}-${process.pid}`,
    INGRESS_HTTPS_PORT: String(httpsPort),
    INGRESS_HTTP_PORT: String(httpPort),
    TENANT_READY_TIMEOUT_MS: "30000",
    TEMPLATES_DIR: `${join(projectRoot, "tenant-templates")}:${join(projectRoot, "tests/fixtures/templates")}`,
    WORKER_LOCK_MS: "4000",
    PROVISION_BACKOFF_MS: "500",
    PRINT_BOOTSTRAP_TOKEN: "false",
    WORKER_METRICS_PORT: "0", // several workers and suites share the host; a test that wants it passes a free port
    ...overrides,
  };
}

export async function startStack(
  name: string,
  overrides: NodeJS.ProcessEnv = {},
  opts: {
    workers?: number;
    /** Run dist/ (NODE_ENV=production) instead of the sources. */
    compiled?: boolean;
    /** Extra node options for the API process (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
    apiNodeArgs?: string[];
  } = {},
): Promise<Stack> {
  mkdirSync(logDir, { recursive: true });
  const port = await freePort();
  const env = await stackEnv(name, port, { ...(opts.compiled ? { NODE_ENV: "production" } : {}), ...overrides });
  const config = parseConfig(env);
  // Outside vitest (benchmarks) the stack made up its own tenant network, and removes it when it stops.
  const ownNetwork = runSubnet() === null;
  const { db, sql } = createDb(config.DATABASE_URL, 4);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const queues = createQueues(redis, config);
  const orgIds: number[] = [];
  const docker = new Docker({ socketPath: config.DOCKER_SOCKET });
  const url = `http://127.0.0.1:${port}`;
  const opsUrl = `http://127.0.0.1:${config.OPS_PORT}`;
  const apiProc = startProcess("api", "api/main.ts", env, join(logDir, `${name}-api.log`), opts.compiled, opts.apiNodeArgs);
  const workers: ChildProcess[] = [];
  const extraApis: ChildProcess[] = [];
  let workerCount = 0;
  const startWorker = (extraEnv: NodeJS.ProcessEnv = {}) => {
    const w = startProcess("worker", "worker/main.ts", { ...env, ...extraEnv }, join(logDir, `${name}-worker-${++workerCount}.log`), opts.compiled);
    workers.push(w);
    return w;
  };
  for (let i = 0; i < (opts.workers ?? 1); i++) startWorker();

  await waitFor(async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok === true, { timeoutMs: 30_000, what: "API /healthz" });

  const stack: Stack = {
    name,
    url,
    opsUrl,
    config,
    env,
    db,
    sql,
    redis,
    queues,
    docker,
    workers,
    apiProcess: apiProc,
    startWorker,
    runningWorkers: () => workers.filter(isRunning).length,
    async waitForWorkers(count) {
      await waitFor(async () => (await Promise.all(queues.all.map((q) => q.getWorkersCount()))).every((n) => n === count), {
        timeoutMs: 30_000,
        what: `${count} worker(s) on every queue`,
      });
    },
    async stopWorkers() {
      const running = workers.filter(isRunning);
      for (const w of running) w.kill("SIGTERM");
      await Promise.all(running.map(exited));
    },
    async api(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      let body: string | undefined = init.rawBody;
      if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers["content-type"] ??= "application/json";
      }
      const signal = init.timeoutMs ? AbortSignal.timeout(init.timeoutMs) : undefined;
      const res = await fetch(url + path, { method: init.method ?? (body ? "POST" : "GET"), headers, body, signal }).catch((err: Error) => {
        if (err.name === "TimeoutError") throw new Error(`${init.method ?? "GET"} ${path}: no answer within ${init.timeoutMs} ms`);
        throw err;
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: res.status, body: parsed as any, headers: res.headers };
    },
    async newOrg(orgName = `${name}-org`) {
      const { org, token } = await createOrganisation(db, orgName);
      orgIds.push(org.id);
      return { id: org.id, token };
    },
    async startExtraApi(extraEnv: NodeJS.ProcessEnv = {}) {
      const [extraPort, extraOpsPort] = [await freePort(), await freePort()];
      // The first API process is the one with the waker (sleeping tenants' routes lead to its port).
      const procEnv = { ...env, PORT: String(extraPort), OPS_PORT: String(extraOpsPort), WAKER_PORT: "0", ...extraEnv };
      const proc = startProcess("api", "api/main.ts", procEnv, join(logDir, `${name}-api-${extraPort}.log`), opts.compiled);
      extraApis.push(proc);
      const extraUrl = `http://127.0.0.1:${extraPort}`;
      await waitFor(async () => (await fetch(`${extraUrl}/healthz`).catch(() => null))?.ok === true, { timeoutMs: 30_000, what: "extra API /healthz" });
      return { url: extraUrl, opsUrl: `http://127.0.0.1:${procEnv.OPS_PORT}`, proc };
    },
    async stop() {
      const all = [apiProc, ...extraApis, ...workers].filter(isRunning);
      for (const p of all) p.kill("SIGTERM");
      await Promise.all(all.map(exited));
      // Whatever a failed test left to this stack's organisations goes too. Their tenants are
      // marked destroyed (and their ports freed) first: every stack of a run shares the database,
      // and another stack's health sweep would otherwise re-create a container removed here.
      if (orgIds.length) {
        await sql`delete from port_leases where env_id in (select env_id from tenants where org_id in ${sql(orgIds)} and status not in ('destroyed', 'failed'))`;
        await sql`update tenants set status = 'destroyed', destroyed_at = now() where org_id in ${sql(orgIds)} and status not in ('destroyed', 'failed')`;
      }
      const left = orgIds.length ? await docker.listContainers({ all: true, filters: { label: [`${labelKeys.owner}=${config.CONVERGENCE_INSTANCE}`] } }) : [];
      const ours = left.filter((c) => orgIds.includes(Number(c.Labels[labelKeys.orgId])));
      await Promise.all(
        ours.map((c) =>
          docker
            .getContainer(c.Id)
            .remove({ force: true })
            .catch(() => {}),
        ),
      );
      await createIngress(config)
        .removeAll()
        .catch(() => {});
      if (ownNetwork) {
        await removeWarmNetworks(docker, config.CONVERGENCE_INSTANCE);
        await new DockerRuntime({ socketPath: config.DOCKER_SOCKET, owner: config.CONVERGENCE_INSTANCE }).removeUnusedNetworks({ includeCurrent: true }).catch(() => {});
      }
      await queues.close();
      await deleteKeys(redis, env.QUEUE_PREFIX!);
      redis.disconnect();
      await sql.end({ timeout: 5 });
    },
  };
  return stack;
}

/**
 * The container whose network `name` uses: itself, or the warm network's holder it joined
 * (`container:<id>`, see ContainerRuntime.warmNetworks), which has its address, port and host entries.
 */
export async function networkOwner(docker: Docker, name: string) {
  const info = await docker.getContainer(name).inspect();
  const mode = info.HostConfig.NetworkMode ?? "";
  return mode.startsWith("container:") ? docker.getContainer(mode.slice("container:".length)).inspect() : info;
}

/** Removes the warm networks' holders (ContainerRuntime.warmNetworks) of `owner`: they are no tenant's, and outlive every stack of a run. */
export async function removeWarmNetworks(docker: Docker, owner: string): Promise<void> {
  const holders = await docker.listContainers({ all: true, filters: { label: [`${labelKeys.netnsOwner}=${owner}`] } });
  await Promise.all(
    holders.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
}

const isRunning = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;
const exited = (p: ChildProcess) => new Promise<void>((r) => (isRunning(p) ? p.once("exit", () => r()) : r()));

/** Deletes this prefix's keys, and only those: other stacks and other engineers share the Redis. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
}

export async function waitFor<T>(fn: () => Promise<T | false | null | undefined>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
  throw new Error(`timed out after ${opts.timeoutMs ?? 60_000} ms waiting for ${opts.what ?? "condition"}${lastErr ? `: ${lastErr}` : ""}`);
}

/** Polls the status endpoint, as a client would, until the tenant reaches one of `statuses`. */
export async function waitForStatus(stack: Stack, token: string, envId: number, statuses: string[], timeoutMs = 90_000) {
  return waitFor(
    async () => {
      const r = await stack.api(`/api/v1/tenant/${envId}/status`, { token });
      return statuses.includes(r.body?.tenant?.status) ? r.body.tenant : null;
    },
    { timeoutMs, intervalMs: 150, what: `tenant ${envId} to be ${statuses.join("|")}` },
  );
}

export async function ownedContainers(stack: Stack, envId?: number) {
  const label = [`io.convergence.owner=${TEST_OWNER}`];
  if (envId !== undefined) label.push(`io.convergence.env-id=${envId}`);
  return stack.docker.listContainers({ all: true, filters: { label } });
}

/**
 * Spawns through the API. Called inside a test, the tenant it creates is destroyed when that
 * test finishes, passed or failed (through the API, and its container removed directly if the
 * platform could not); called from a hook, cleaning up is the caller's business.
 */
export async function spawnViaApi(stack: Stack, token: string, body: Record<string, unknown> = {}, headers?: Record<string, string>) {
  const res = await stack.api("/api/v1/tenant/spawn", {
    token,
    headers,
    body: { name: "app", language: "node", framework: "express", ...body },
  });
  if (res.status === 202) {
    const envId = res.body.tenant.envId as number;
    try {
      onTestFinished(() => cleanUpTenant(stack, token, envId));
    } catch {
      // Not inside a test (a beforeAll): nothing to attach to.
    }
  }
  return res;
}

/** Destroys the tenant and waits for it; removes its container directly if that did not happen. */
async function cleanUpTenant(stack: Stack, token: string, envId: number): Promise<void> {
  try {
    await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token, timeoutMs: 10_000 });
    // Without a worker (a stack that has none, or a test that stopped them) nothing would move it on.
    if (stack.runningWorkers() > 0) await waitForStatus(stack, token, envId, ["destroyed"], 30_000);
  } catch {
    // The platform could not finish it: the containers go below anyway.
  }
  for (const c of await ownedContainers(stack, envId))
    await stack.docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
}

/** Runs a command inside a container through the Docker API and returns its stdout. */
export async function execIn(docker: Docker, container: string, cmd: string[]): Promise<string> {
  const exec = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  const buf = Buffer.concat(chunks);
  const parts: Buffer[] = [];
  for (let i = 0; i + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(i + 4);
    if (buf[i] === 1) parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString("utf8");
}
