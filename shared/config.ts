/**
 * Configuration, parsed once at start with zod. A process with bad configuration refuses to
 * start and says which variable is wrong. Values come from the environment; a local `.env`
 * (written by scripts/setup.sh) fills in whatever the environment does not set.
 *
 * About 400 lines on purpose: one schema holds every variable, so that one parse checks them all;
 * what each means lives in ./config-docs.ts, which docs/configuration.md is generated from.
 */
import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
import ipaddr from "ipaddr.js";
import { z } from "zod";

/** The repository root, whether this runs from source (shared/) or from the build (dist/shared/). */
const here = dirname(fileURLToPath(import.meta.url));
export const projectRoot = basename(dirname(here)) === "dist" ? resolve(here, "../..") : resolve(here, "..");

/**
 * A number from the environment, checked by `inner`. An empty or blank value is an error, not 0
 * (`z.coerce.number()` would make `PORT=""` port 0); an unset variable takes inner's default.
 */
const envNumber = <T extends z.ZodType>(inner: T) => z.preprocess((v) => (typeof v === "string" ? (v.trim() === "" ? Number.NaN : Number(v)) : v), inner);
/** A count or a duration: a whole number, never negative. */
const int = (def: number) => envNumber(z.number().int().min(0).default(def));
const positive = (def: number) => envNumber(z.number().int().min(1).max(1_000_000).default(def));
const bool = (def: boolean) =>
  z
    .enum(["true", "false", "1", "0"])
    .default(def ? "true" : "false")
    .transform((v) => v === "true" || v === "1");

const splitList = (v: string) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * An IPv4 address or CIDR in dotted-quad form, checked by ipaddr.js: `300.1.1.1/40` and
 * `10.0.0.0/33` are refused (and so are the shorthand forms `10.1` or `0x0a.0.0.1` that
 * iptables would read differently).
 */
export function isIpv4Cidr(s: string): boolean {
  const [address = "", bits, extra] = s.split("/");
  if (extra !== undefined || !ipaddr.IPv4.isValidFourPartDecimal(address)) return false;
  return bits === undefined || (/^\d{1,2}$/.test(bits) && Number(bits) <= 32);
}

const cidrList = z
  .string()
  .default("")
  .transform(splitList)
  .refine((list) => list.every(isIpv4Cidr), { error: (i) => `must be comma-separated IPv4 addresses or CIDRs (e.g. 10.0.0.0/8,192.0.2.1); not ${badEntries(i.input, isIpv4Cidr)}` });

/** Comma-separated IPv4 or IPv6 CIDRs (a bare address is one host), normalised to `address/prefix`. */
const anyCidrList = (def: string) =>
  z
    .string()
    .default(def)
    .transform(splitList)
    .refine((list) => list.every((s) => anyCidr(s) !== null), {
      error: (i) => `must be comma-separated IPv4 or IPv6 addresses or CIDRs, e.g. 10.0.0.0/8,fd00::/8; not ${badEntries(i.input, (s) => anyCidr(s) !== null)}`,
    })
    .transform((list) => list.map((s) => anyCidr(s)!));

function badEntries(input: unknown, ok: (s: string) => boolean): string {
  return (Array.isArray(input) ? (input as string[]) : [])
    .filter((s) => !ok(s))
    .map((s) => JSON.stringify(s))
    .join(", ");
}

/** An IPv4 or IPv6 address or CIDR as `address/prefix`, or null when ipaddr.js refuses it. */
export function anyCidr(s: string): string | null {
  const [address = "", bits, extra] = s.split("/");
  if (extra !== undefined) return null;
  if (isIpv4Cidr(s)) return `${address}/${bits ?? 32}`;
  if (!ipaddr.IPv6.isValid(address) || isIP(address) !== 6) return null;
  if (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= 128)) return null;
  return `${address}/${bits ?? 128}`;
}

function isNetworkAddress(cidr: string): boolean {
  const [addr, bits] = cidr.split("/") as [string, string];
  const octets = addr.split(".").map(Number);
  if (octets.some((o) => o > 255)) return false;
  const n = octets.reduce((acc, o) => acc * 256 + o, 0);
  return n % 2 ** (32 - Number(bits)) === 0;
}

const subnetSize = (cidr: string) => 2 ** (32 - Number(cidr.split("/")[1]));

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    API_HOST: z.string().default("0.0.0.0"),
    PORT: envNumber(z.number().int().min(1).max(65535).default(3000)),
    DATABASE_URL: z.string().url(),
    REDIS_URL: z.string().url(),
    ENCRYPTION_KEY: z
      .string({ error: "ENCRYPTION_KEY is required (32 random bytes, base64); scripts/setup.sh writes one to .env" })
      .refine((v) => Buffer.from(v, "base64").length === 32, "ENCRYPTION_KEY must be 32 bytes, base64-encoded"),
    /** Organisation 1's token; unset (or empty, as compose passes it) → generated and printed once. */
    CONVERGENCE_ADMIN_TOKEN: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().min(32, "CONVERGENCE_ADMIN_TOKEN must be at least 32 characters (e.g. cvg_org_ + 32 random characters); leave it unset to have one generated").optional(),
    ),
    /** The master API as a tenant container sees it. */
    PUBLIC_API_URL: z.string().url().optional(),
    BODY_LIMIT_BYTES: int(64 * 1024),
    TENANT_PORT_MIN: int(3001),
    TENANT_PORT_MAX: int(3999),
    TENANT_BASE_IMAGE: z.string().default("node:22-alpine"),
    /** Bases of the other languages' templates (template.json `base`); the set-up switches each to a local image offline. */
    PYTHON_BASE_IMAGE: z.string().default("python:3.11-slim"),
    GO_BASE_IMAGE: z.string().default("gcr.io/distroless/static-debian12"),
    BUN_BASE_IMAGE: z.string().default("oven/bun:1-slim"),
    STATIC_BASE_IMAGE: z.string().default("gcr.io/distroless/static-debian12"),
    TENANT_CONTAINER_PREFIX: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]*$/)
      .default("convergence-tenant-"),
    /** Owner label value: the platform touches only containers that carry it. */
    CONVERGENCE_INSTANCE: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]*$/)
      .default("convergence"),
    /** Where a worker reaches a tenant's published port. */
    TENANT_PROBE_HOST: z.string().default("127.0.0.1"),
    /** Host address published ports bind to. */
    TENANT_BIND_HOST: z.string().default("127.0.0.1"),
    TENANT_READY_TIMEOUT_MS: int(60_000),
    /** The longest a new container runs without its CPU quota when its app is slow to listen (see provision.ts). */
    TENANT_UNTHROTTLED_START_MAX_MS: int(3_000),
    /** Docker runtime: how many network namespaces are kept set up ahead for the next spawns (see shared/tenants/warm-networks.ts); 0: none. */
    TENANT_WARM_NETWORKS: envNumber(z.number().int().min(0).max(100).default(10)),
    TENANT_MEMORY_MB: int(256),
    /** Scale to zero (docs/idle.md): the organisation default idle policy, in seconds without traffic; 0 = never. */
    TENANT_IDLE_PAUSE_S: int(0),
    TENANT_IDLE_STOP_S: int(0),
    /** How long a request to a sleeping tenant is held while it wakes before the client gets 503 with Retry-After. */
    TENANT_WAKE_TIMEOUT_MS: envNumber(z.number().int().min(100).default(30_000)),
    /** The waker: the listener (in the API process) sleeping tenants' ingress routes point at; it holds requests while the tenant wakes. 0 = none. */
    WAKER_PORT: envNumber(z.number().int().min(0).max(65535).default(3090)),
    WAKER_HOST: z.string().default("127.0.0.1"),
    TENANT_CPUS: envNumber(z.number().positive().default(0.5)),
    TENANT_PIDS_LIMIT: int(128),
    TEMPLATES_DIR: z.string().default(join(projectRoot, "tenant-templates")),
    DOCKER_SOCKET: z.string().default("/var/run/docker.sock"),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9_-]+$/)
      .default("convergence"),
    WORKER_CONCURRENCY: int(10),
    /** How long a job lock lives before another worker may take over a crashed worker's job (kept short: a dead worker's job resumes in seconds). */
    WORKER_LOCK_MS: envNumber(z.number().int().min(1_000).default(3_000)),
    /** How often a worker renews the locks of the jobs it runs; below WORKER_LOCK_MS, so a renewal or two may be late without losing a job. */
    WORKER_LOCK_RENEW_MS: envNumber(z.number().int().min(100).default(1_000)),
    /** How often each worker looks for jobs whose lock expired (a job is taken over on the second look that finds it unlocked). */
    WORKER_STALLED_INTERVAL_MS: envNumber(z.number().int().min(100).default(1_000)),
    /** How many times a job may lose its worker (and be taken over) before it fails instead. */
    WORKER_MAX_STALLED_COUNT: envNumber(z.number().int().min(0).default(2)),
    PROVISION_ATTEMPTS: int(3),
    PROVISION_BACKOFF_MS: int(2_000),
    SHUTDOWN_TIMEOUT_MS: int(10_000),
    LOGS_TIMEOUT_MS: int(5_000),
    /** How often an idle tenant event stream (SSE) sends a heartbeat comment. */
    SSE_HEARTBEAT_MS: int(15_000),
    /** Live log follows (`logs?follow=true`) an organisation may hold open at once; one more is a 429. */
    LOGS_FOLLOW_MAX_PER_ORG: envNumber(z.number().int().min(1).default(5)),
    /**
     * How long a follow's slot, and a worker's following of the container, outlive an API or worker
     * that vanished without a word; refreshed every third of it.
     */
    LOGS_FOLLOW_LEASE_MS: envNumber(z.number().int().min(1_000).default(15_000)),
    /** How many tenants' logs one worker process follows at once. */
    LOGS_FOLLOW_WORKER_CONCURRENCY: envNumber(z.number().int().min(1).default(200)),
    /** Each worker serves its own Prometheus /metrics here (job durations, failures); 0 turns it off. */
    WORKER_METRICS_PORT: envNumber(z.number().int().min(0).max(65535).default(9465)),
    /** Loopback by default: tenants and the network never see it; bind elsewhere only deliberately (docs/operations.md). */
    WORKER_METRICS_HOST: z.string().default("127.0.0.1"),
    /**
     * The API process's operations listener: /metrics and /admin/queues, never on the public PORT.
     * Loopback by default; on any other address /metrics asks for the operator's credentials too. 0 turns it off.
     */
    OPS_PORT: envNumber(z.number().int().min(0).max(65535).default(9464)),
    OPS_HOST: z.string().min(1).default("127.0.0.1"),
    /** A file the worker touches while Redis and Postgres answer (container healthchecks); empty = off. */
    WORKER_HEARTBEAT_FILE: z.string().default(""),
    /** How often the heartbeat is written; the healthcheck fails when it is 3 intervals old. */
    WORKER_HEARTBEAT_MS: int(10_000),
    /** Webhook delivery: attempts per event, exponential back-off base (30 s doubles to hours), per-attempt timeout. */
    WEBHOOK_ATTEMPTS: int(10),
    WEBHOOK_BACKOFF_MS: int(30_000),
    WEBHOOK_TIMEOUT_MS: int(5_000),
    /** How often pending events without a delivery job are enqueued again (a Redis loss drops nothing). */
    WEBHOOK_SWEEP_MS: int(30_000),
    /** Hosts (or host:port) a webhook may target even though they resolve to a loopback/private address. */
    WEBHOOK_ALLOWED_HOSTS: z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean),
      ),
    PRINT_BOOTSTRAP_TOKEN: bool(true),
    /** Stripe billing (shared/billing/): on when STRIPE_SECRET_KEY is set, off (nothing changes) otherwise. */
    STRIPE_SECRET_KEY: z.preprocess((v) => (v === "" ? undefined : v), z.string().min(1).optional()),
    STRIPE_API_URL: z.string().url().default("https://api.stripe.com"),
    STRIPE_METER_EVENT_NAME: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,100}$/)
      .default("convergence_calls"),
    STRIPE_WEBHOOK_SECRET: z.preprocess((v) => (v === "" ? undefined : v), z.string().min(1).optional()),
    BILLING_FLUSH_INTERVAL_MS: envNumber(z.number().int().min(100).default(60_000)),
    BILLING_RECONCILE_INTERVAL_MS: envNumber(z.number().int().min(100).default(600_000)),
    /** Health sweeps: interval, per-probe timeout, parallel probes, failures before `unhealthy`. */
    HEALTH_INTERVAL_MS: int(10_000),
    HEALTH_TIMEOUT_MS: int(2_000),
    HEALTH_CONCURRENCY: int(32),
    HEALTH_FAILURE_THRESHOLD: int(3),
    /** Crash loops: restarts (with doubling back-off from this base) before the tenant is failed. */
    HEALTH_MAX_RESTARTS: int(5),
    HEALTH_RESTART_BACKOFF_MS: int(5_000),
    HEALTH_STABLE_MS: int(5 * 60_000),
    /** Reconciler: interval, and how old an unowned-by-any-tenant container must be before removal. */
    RECONCILE_INTERVAL_MS: int(15_000),
    ORPHAN_GRACE_MS: int(60_000),
    /** How long a tenant may sit in each transient state before it is failed (0 = derived). */
    DEADLINE_PENDING_MS: int(10 * 60_000),
    DEADLINE_PROVISIONING_MS: int(10 * 60_000),
    DEADLINE_STARTING_MS: int(0),
    DEADLINE_DESTROYING_MS: int(10 * 60_000),
    /** OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, llama.cpp, LM Studio); unset = offline provider. */
    LLM_BASE_URL: z.string().optional(),
    LLM_API_KEY: z.string().optional(),
    LLM_MODEL: z.string().default("gpt-4o-mini"),
    LLM_TIMEOUT_MS: int(60_000),
    LLM_MAX_RETRIES: int(2),
    CONVERGE_PROMPT_MAX_CHARS: int(20_000),
    CONVERGE_ROLE_MAX_CHARS: int(200),
    /** A convergence call's whole budget (all rounds), instead of REQUEST_TIMEOUT_MS: past it the run is stopped, answered 504 and recorded `aborted`. */
    CONVERGE_TIMEOUT_MS: envNumber(z.number().int().min(100).default(120_000)),
    /**
     * Metering rows are committed before the response either way; true also waits for the WAL
     * flush, so not even a Postgres crash in the next ~0.6 s can lose one (costs ~1 ms a call).
     */
    METERING_DURABLE_COMMIT: bool(false),
    /**
     * How long the API serves a tenant's status read from memory (shared/tenants/row-cache.ts): a
     * status change evicts it at once; the health counters may lag by up to this. 0 turns it off.
     */
    STATUS_CACHE_MS: envNumber(z.number().int().min(0).max(60_000).default(1000)),
    /** Access tokens (JWTs, see docs/api.md "Two credentials"): `iss` and `aud` claims, lifetimes in seconds. */
    JWT_ISSUER: z.string().min(1).default("convergence"),
    JWT_AUDIENCE: z.string().min(1).default("convergence-api"),
    JWT_DEFAULT_TTL_SECONDS: envNumber(z.number().int().min(1).default(900)),
    JWT_MAX_TTL_SECONDS: envNumber(z.number().int().min(1).default(3600)),
    /** A new signing key every this many seconds; the retired one keeps verifying for the overlap (default: max TTL + 5 min). */
    JWT_KEY_ROTATION_SECONDS: envNumber(z.number().int().min(2).default(86_400)),
    JWT_KEY_OVERLAP_SECONDS: envNumber(z.number().int().min(1).optional()),
    /**
     * Dashboard sessions (docs/dashboard.md): the lifetime of a session's access token, renewed
     * while the dashboard is in use (so also how long an idle one lasts; default 15 min, at most
     * JWT_MAX_TTL_SECONDS), and the longest a session may be renewed for before signing in again.
     */
    SESSION_TTL_SECONDS: envNumber(z.number().int().min(10).optional()),
    SESSION_MAX_AGE_SECONDS: envNumber(
      z
        .number()
        .int()
        .min(10)
        .default(12 * 3600),
    ),
    /** The session cookies' Secure attribute: `auto` = when the request came over HTTPS. */
    SESSION_COOKIE_SECURE: z.enum(["auto", "true", "false"]).default("auto"),
    /** Failed authentications per client address and credential within the window before that credential gets 429 (0 turns the limit off). */
    AUTH_FAILURE_LIMIT: envNumber(z.number().int().min(0).default(20)),
    AUTH_FAILURE_WINDOW_SECONDS: envNumber(z.number().int().min(1).default(60)),
    /**
     * Per-organisation limits (docs/api.md "Limits and abuse resistance"); an organisation's own values
     * (npm run org -- set-limits) override these. Rates are token buckets: up to N at once, N a minute.
     */
    ORG_MAX_TENANTS: positive(20),
    ORG_SPAWNS_PER_MINUTE: positive(20),
    ORG_ROTATIONS_PER_MINUTE: positive(10),
    ORG_DESTROYS_PER_MINUTE: positive(30),
    ORG_LOGS_PER_MINUTE: positive(60),
    ORG_MAX_EVENT_STREAMS: positive(25),
    ORG_MAX_HELD_WAITS: positive(50),
    ORG_DEPLOYS_PER_MINUTE: positive(10),
    /** Deploys (docs/deploys.md). */
    DEPLOY_MAX_BYTES: positive(50 * 1024 * 1024),
    DEPLOY_MAX_FILES: positive(10_000),
    DEPLOY_BUILD_TIMEOUT_S: positive(300),
    DEPLOY_BUILDS_PER_WORKER: positive(2),
    DEPLOY_BUILD_MEMORY_MB: positive(1024),
    DEPLOY_BUILD_CPUS: z.coerce.number().positive().default(1),
    DEPLOY_BUILD_CA_FILE: z.string().default(""),
    DEPLOY_GO_BUILDER_IMAGE: z.string().default(""),
    DEPLOY_KEEP: positive(5),
    DEPLOY_DRAIN_MS: int(2_000),
    DEPLOY_HEALTH_TIMEOUT_MS: positive(60_000),
    DEPLOY_LOG_MAX_BYTES: positive(64 * 1024),
    /** Spawns are refused (503) before live tenants × TENANT_MEMORY_MB would pass this share of CAPACITY_MEMORY_MB. */
    CAPACITY_MEMORY_SHARE: envNumber(z.number().gt(0).max(1).default(0.8)),
    /** The memory tenants may be given, in MB; 0 = this machine's total memory. */
    CAPACITY_MEMORY_MB: envNumber(z.number().int().min(0).default(0)),
    /** Every API request answers within this (503 when a dependency hangs); held waits and event streams bound each read instead. */
    REQUEST_TIMEOUT_MS: envNumber(z.number().int().min(100).default(5_000)),
    /** Postgres session limits on every pool: a statement, a lock wait, a transaction left idle. */
    DB_STATEMENT_TIMEOUT_MS: envNumber(z.number().int().min(0).default(5_000)),
    DB_LOCK_TIMEOUT_MS: envNumber(z.number().int().min(0).default(2_000)),
    DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: envNumber(z.number().int().min(0).default(10_000)),
    /** Cluster metrics are computed at most once per this interval, however many scrapes come. */
    METRICS_MIN_REFRESH_MS: envNumber(z.number().int().min(0).default(10_000)),
    /** How long a spawn's Idempotency-Key answers with the same tenant; after that the key is free again. */
    IDEMPOTENCY_KEY_TTL_SECONDS: envNumber(z.number().int().min(1).default(86_400)),
    /** Tenants answer at https://<name>-<envId>.<TENANT_DOMAIN>; localhost (and other non-public names) use Caddy's internal CA. */
    TENANT_DOMAIN: z
      .string()
      .toLowerCase()
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, "TENANT_DOMAIN must be a DNS name such as localhost or apps.example.com")
      .default("localhost"),
    /** The ingress's ports for this platform instance; HTTP only redirects to HTTPS (0 = no HTTP listener). */
    INGRESS_HTTPS_PORT: envNumber(z.number().int().min(1).max(65535).default(443)),
    INGRESS_HTTP_PORT: envNumber(z.number().int().min(0).max(65535).default(80)),
    /**
     * This instance's name in the proxy (its server objects and route ids); CONVERGENCE_INSTANCE by
     * default. Only processes serving the same tenants on the same ingress ports may share one.
     */
    INGRESS_NAME: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]*$/)
      .optional(),
    /** The API and dashboard over HTTPS through the ingress, at https://<API_HOSTNAME>; default api.<TENANT_DOMAIN>, empty = not served there. */
    API_HOSTNAME: z
      .string()
      .toLowerCase()
      .regex(/^$|^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, "API_HOSTNAME must be a DNS name such as api.example.com (or empty)")
      .optional(),
    /** Where the ingress dials the API (host:port); default 127.0.0.1:<PORT>. */
    API_INGRESS_UPSTREAM: z
      .string()
      .regex(/^[a-zA-Z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, "API_INGRESS_UPSTREAM must be host:port")
      .optional(),
    /** Peers (comma-separated IPv4 or IPv6 addresses or CIDRs) whose X-Forwarded-Proto/-For the API believes: the ingress as the API sees it. */
    TRUSTED_PROXIES: anyCidrList("127.0.0.1"),
    /** Caddy's admin API (keep it on loopback: whoever reaches it controls the ingress). */
    CADDY_ADMIN_URL: z.string().url().default("http://127.0.0.1:2019"),
    /** Tenants' outbound traffic: `public` = the public internet only, `none` = nothing but the master's API port. */
    TENANT_EGRESS: z.enum(["public", "none"]).default("public"),
    /** Extra destinations (comma-separated CIDRs) tenants may never reach, e.g. a LAN in public address space. */
    TENANT_EGRESS_DENY: cidrList,
    /** Resolvers Docker's embedded DNS forwards tenants' queries to (port 53 only); empty = the host's /etc/resolv.conf. */
    TENANT_DNS_SERVERS: cidrList,
    /** Where tenants run: `docker` = the one engine at DOCKER_SOCKET; `swarm` = services on the swarm that engine manages. */
    CONVERGENCE_RUNTIME: z.enum(["docker", "swarm"]).default("docker"),
    /** Swarm: host:port of the registry every node pulls template images from; unset = the manager's address, port 5000. */
    SWARM_REGISTRY: z
      .string()
      .regex(/^[a-zA-Z0-9.-]+(:\d{1,5})?$/, "SWARM_REGISTRY must be host:port, e.g. 198.18.0.1:5000")
      .optional(),
    /** Swarm: the master's IPv4 address as the nodes reach it (host.docker.internal in every tenant); unset = the manager's swarm address. */
    SWARM_MASTER_ADDRESS: z
      .string()
      .refine((v) => ipaddr.IPv4.isValidFourPartDecimal(v), "SWARM_MASTER_ADDRESS must be an IPv4 address")
      .optional(),
    /** Swarm: placement constraints for every tenant (and the node agent), `;`-separated, e.g. node.labels.convergence.tenants==true. */
    SWARM_CONSTRAINTS: z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(";")
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    /** Swarm: share of each tenant's CPU limit reserved for scheduling (memory is reserved in full). */
    SWARM_CPU_RESERVATION: envNumber(z.number().min(0).max(1).default(0.25)),
    /** Swarm: where connections to tenants' published ports may come from (workers, the ingress); empty = the master's address. */
    SWARM_TRUSTED_SOURCES: cidrList,
    /** The one bridge network all of this instance's tenants share (inter-container traffic off), and its subnet. */
    TENANT_NETWORK_SUBNET: z
      .string()
      .regex(/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-8])$/, "TENANT_NETWORK_SUBNET must be an IPv4 CIDR from /16 to /28, e.g. 10.201.0.0/16")
      .refine(isIpv4Cidr, "TENANT_NETWORK_SUBNET must be an IPv4 CIDR, e.g. 10.201.0.0/16")
      .refine(isNetworkAddress, "TENANT_NETWORK_SUBNET must be a network address (no host bits set), e.g. 10.201.0.0/16")
      .default("10.201.0.0/16"),
  })
  .refine((c) => c.TENANT_PORT_MIN >= 1024 && c.TENANT_PORT_MAX <= 65535 && c.TENANT_PORT_MIN <= c.TENANT_PORT_MAX, {
    message: "TENANT_PORT_MIN..TENANT_PORT_MAX must be a range within 1024..65535",
    path: ["TENANT_PORT_MIN"],
  })
  .refine((c) => subnetSize(c.TENANT_NETWORK_SUBNET) - 3 >= c.TENANT_PORT_MAX - c.TENANT_PORT_MIN + 1, {
    // Each tenant's address on the bridge is derived from its port (shared/runtime/docker/network.ts).
    message: "TENANT_NETWORK_SUBNET must have an address for every port of TENANT_PORT_MIN..TENANT_PORT_MAX (plus network, gateway and broadcast): widen the subnet or narrow the range",
    path: ["TENANT_NETWORK_SUBNET"],
  })
  .refine((c) => c.WORKER_LOCK_RENEW_MS < c.WORKER_LOCK_MS, {
    message: "WORKER_LOCK_RENEW_MS must be below WORKER_LOCK_MS: a lock must be renewed before it expires",
    path: ["WORKER_LOCK_RENEW_MS"],
  })
  .refine((c) => c.JWT_DEFAULT_TTL_SECONDS <= c.JWT_MAX_TTL_SECONDS, {
    message: "JWT_DEFAULT_TTL_SECONDS must not be above JWT_MAX_TTL_SECONDS",
    path: ["JWT_DEFAULT_TTL_SECONDS"],
  })
  .refine((c) => c.SESSION_TTL_SECONDS === undefined || (c.SESSION_TTL_SECONDS <= c.JWT_MAX_TTL_SECONDS && c.SESSION_TTL_SECONDS <= c.SESSION_MAX_AGE_SECONDS), {
    message: "SESSION_TTL_SECONDS must not be above JWT_MAX_TTL_SECONDS (signing keys overlap by that) nor SESSION_MAX_AGE_SECONDS",
    path: ["SESSION_TTL_SECONDS"],
  })
  .refine((c) => c.JWT_KEY_OVERLAP_SECONDS === undefined || c.JWT_KEY_OVERLAP_SECONDS >= c.JWT_MAX_TTL_SECONDS, {
    message: "JWT_KEY_OVERLAP_SECONDS must be at least JWT_MAX_TTL_SECONDS: a retired key must verify until every token it signed has expired",
    path: ["JWT_KEY_OVERLAP_SECONDS"],
  });

/** The schema itself, for the configuration reference (shared/config-docs.ts, docs/configuration.md). */
export const configSchema = schema;

export type Config = z.infer<typeof schema> & {
  PUBLIC_API_URL: string;
  JWT_KEY_OVERLAP_SECONDS: number;
  SESSION_TTL_SECONDS: number;
  INGRESS_NAME: string;
  API_HOSTNAME: string;
  API_INGRESS_UPSTREAM: string;
};

/** Fills unset variables from `.env` in the project root, if there is one. */
export function loadDotEnv(env: NodeJS.ProcessEnv = process.env, file = join(projectRoot, ".env")): void {
  if (!existsSync(file)) return;
  for (const [k, v] of Object.entries(parseEnv(readFileSync(file, "utf8")))) {
    if (env[k] === undefined) env[k] = v;
  }
}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(config)"}: ${describeIssue(i, env)}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  return {
    ...c,
    PUBLIC_API_URL: c.PUBLIC_API_URL ?? `http://host.docker.internal:${c.PORT}/api/v1`,
    JWT_KEY_OVERLAP_SECONDS: c.JWT_KEY_OVERLAP_SECONDS ?? c.JWT_MAX_TTL_SECONDS + 300,
    SESSION_TTL_SECONDS: c.SESSION_TTL_SECONDS ?? Math.min(900, c.JWT_MAX_TTL_SECONDS, c.SESSION_MAX_AGE_SECONDS),
    INGRESS_NAME: c.INGRESS_NAME ?? c.CONVERGENCE_INSTANCE,
    API_HOSTNAME: c.API_HOSTNAME ?? `api.${c.TENANT_DOMAIN}`,
    API_INGRESS_UPSTREAM: c.API_INGRESS_UPSTREAM ?? `127.0.0.1:${c.PORT}`,
  };
}

/** zod's message, except where it would only say "received NaN": then what the variable holds (numbers are never secrets). */
function describeIssue(issue: z.core.$ZodIssue, env: NodeJS.ProcessEnv): string {
  if (issue.code === "invalid_type" && issue.expected === "number") {
    const raw = env[String(issue.path[0])];
    return raw?.trim() === "" ? "must be a number, and is empty (unset it to take the default)" : `must be a number, not ${JSON.stringify(raw)}`;
  }
  if (issue.code === "invalid_type" && issue.expected === "int") return `must be a whole number, not ${JSON.stringify(env[String(issue.path[0])])}`;
  if (issue.code === "too_small" && issue.origin === "number" && issue.minimum === 0) return "must not be negative";
  return issue.message;
}

export class ConfigError extends Error {}

/** For process entry points: parse or exit with a readable message. */
export function loadConfig(): Config {
  loadDotEnv();
  try {
    return parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`convergence: ${err.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
