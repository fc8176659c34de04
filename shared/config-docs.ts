/**
 * The configuration reference: what each variable of shared/config.ts means and where it belongs,
 * keyed by name, and the renderer of docs/configuration.md from it and the schema's own defaults.
 * `npm run docs:config` writes the file; tests/unit/config-reference.test.ts fails when the file and
 * the schema differ, or when a variable of the schema has no entry here (tsc fails too).
 */
import type { z } from "zod";
import { configSchema, projectRoot } from "./config.js";

/** A variable's name, as the schema reads it from the environment. */
export type ConfigName = keyof z.input<typeof configSchema>;

/** The sections of docs/configuration.md, in order. */
export const configGroups = {
  process: { title: "Processes and logging" },
  services: { title: "Postgres, Redis and secrets" },
  api: { title: "The API" },
  tenants: { title: "Tenants" },
  runtime: { title: "Container runtime", intro: "Where and how tenant containers run; see [architecture.md](architecture.md)." },
  swarm: { title: "Docker Swarm", intro: "Only with `CONVERGENCE_RUNTIME=swarm`; see [swarm.md](swarm.md)." },
  network: { title: "Tenant network and egress", intro: "See [networking.md](networking.md)." },
  ingress: { title: "Ingress", intro: "Caddy, driven through its admin API; see [networking.md](networking.md#ingress)." },
  workers: { title: "Workers and jobs" },
  health: { title: "Health checks, reconciler and deadlines" },
  webhooks: { title: "Webhooks", intro: "See [api.md](api.md#webhooks)." },
  converge: { title: "Convergence calls and metering" },
  auth: {
    title: "Access tokens, sessions and failed authentications",
    intro: "See [api.md](api.md#two-credentials-organisation-tokens-and-access-tokens) and [dashboard.md](dashboard.md#security).",
  },
  limits: {
    title: "Limits and capacity",
    intro: "Per-organisation defaults; an organisation's own values (`npm run org -- set-limits`) override them. See [api.md](api.md#limits-and-abuse-resistance).",
  },
  deploys: { title: "Deploys", intro: "Uploaded apps, revisions and zero-downtime switches; see [deploys.md](deploys.md)." },
  ops: { title: "Operations and metrics", intro: "See [operations.md](operations.md)." },
  billing: { title: "Stripe billing", intro: "Off unless `STRIPE_SECRET_KEY` is set; see [billing.md](billing.md)." },
} satisfies Record<string, { title: string; intro?: string }>;

export type ConfigGroup = keyof typeof configGroups;

export interface ConfigDoc {
  group: ConfigGroup;
  /** One or two sentences of markdown: what it means, in the reader's terms. */
  meaning: string;
  /** Markdown for the default when the schema's own (parsed from an unset variable) would not say it: derived or from `.env`. */
  default?: string;
}

/**
 * Every variable of the schema. A variable added to shared/config.ts needs an entry here:
 * tests/unit/config-reference.test.ts names the missing ones (and fails tsc), then `npm run docs:config`.
 */
export const configDocs = {
  NODE_ENV: { group: "process", meaning: "`development`, `production` or `test`." },
  LOG_LEVEL: { group: "process", meaning: "pino level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`." },
  SHUTDOWN_TIMEOUT_MS: { group: "process", meaning: "On `SIGTERM`, how long a worker lets active jobs finish; a worker that dies anyway has its jobs retried by another." },

  DATABASE_URL: { group: "services", meaning: "Postgres.", default: "from `.env`" },
  REDIS_URL: { group: "services", meaning: "Redis.", default: "from `.env`" },
  ENCRYPTION_KEY: {
    group: "services",
    meaning: "32 bytes, base64: encrypts stored tenant keys, webhook secrets and access-token signing keys.",
    default: "generated into `.env`",
  },
  CONVERGENCE_ADMIN_TOKEN: { group: "services", meaning: "Organisation 1's token, 32+ characters; unset or empty → generated and printed on first start." },
  STRIPE_SECRET_KEY: {
    group: "billing",
    meaning: "Stripe secret key (`sk_live_…`, `sk_test_…` or a restricted key): set, usage is reported to Stripe; unset or empty, billing is off and nothing changes.",
  },
  STRIPE_API_URL: { group: "billing", meaning: "Where the official `stripe` client sends its requests (scheme, host and port): Stripe's own, or a local stand-in for tests." },
  STRIPE_METER_EVENT_NAME: { group: "billing", meaning: "The `event_name` of the Stripe meter (a sum meter) convergence calls are reported to." },
  STRIPE_WEBHOOK_SECRET: {
    group: "billing",
    meaning: "The signing secret (`whsec_…`) of the Stripe webhook endpoint `POST /api/v1/billing/stripe-webhook`; unset, that endpoint refuses every event.",
  },
  BILLING_FLUSH_INTERVAL_MS: { group: "billing", meaning: "How often the outbox is filled from the metering records and its pending meter events are sent to Stripe." },
  BILLING_RECONCILE_INTERVAL_MS: { group: "billing", meaning: "How often what was reported is compared with Stripe's meter event summaries, per organisation and month." },
  PRINT_BOOTSTRAP_TOKEN: { group: "services", meaning: "Print organisation 1's generated token once, to the terminal (never to the structured log)." },
  QUEUE_PREFIX: { group: "services", meaning: "Prefix of this instance's BullMQ queues and Redis keys." },
  DB_STATEMENT_TIMEOUT_MS: { group: "services", meaning: "Postgres `statement_timeout` on every pool (`0` = none)." },
  DB_LOCK_TIMEOUT_MS: { group: "services", meaning: "Postgres `lock_timeout` on every pool (`0` = none)." },
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: { group: "services", meaning: "Postgres `idle_in_transaction_session_timeout` on every pool (`0` = none)." },

  PORT: { group: "api", meaning: "Where the API listens (tenants reach it over the Docker bridge)." },
  API_HOST: { group: "api", meaning: "The address the API listens on." },
  PUBLIC_API_URL: { group: "api", meaning: "The master API as a tenant container sees it (its `CONVERGENCE_API_URL`).", default: "`http://host.docker.internal:$PORT/api/v1`" },
  API_HOSTNAME: {
    group: "api",
    meaning: "The API and dashboard over HTTPS through the ingress, at `https://<API_HOSTNAME>` (`/api/v1`, `/app`, `/docs`, `/openapi.json` only); empty = not served there.",
    default: "`api.<TENANT_DOMAIN>`",
  },
  API_INGRESS_UPSTREAM: { group: "api", meaning: "Where Caddy dials the API for `API_HOSTNAME`.", default: "`127.0.0.1:$PORT`" },
  BODY_LIMIT_BYTES: { group: "api", meaning: "Larger request bodies get 413." },
  REQUEST_TIMEOUT_MS: {
    group: "api",
    meaning: "Every request answers within this (503 when Postgres or Redis hangs); held requests (waits, event streams) bound each read instead.",
  },
  STATUS_CACHE_MS: {
    group: "api",
    meaning: "How long an API process answers a tenant's status from memory; a status change evicts it at once, the health counters may lag by up to this; `0` turns it off.",
  },
  IDEMPOTENCY_KEY_TTL_SECONDS: { group: "api", meaning: "How long a spawn's `Idempotency-Key` answers with its tenant; then it is free again." },
  SSE_HEARTBEAT_MS: { group: "api", meaning: "Heartbeat comment on idle event streams (tenant events, followed logs)." },

  TENANT_PORT_MIN: { group: "tenants", meaning: "The lowest host port handed out to tenants (at least 1024)." },
  TENANT_PORT_MAX: { group: "tenants", meaning: "The highest host port handed out to tenants (at most 65535)." },
  TENANT_BASE_IMAGE: { group: "tenants", meaning: "Base of the Node.js template images (template.json `base`: `node`, the default; the set-up switches to a local image offline)." },
  PYTHON_BASE_IMAGE: {
    group: "tenants",
    meaning:
      "Base of Python templates (`python/fastapi`); needs `python3` (FastAPI and uvicorn come from PyPI at build time if it lacks them). Offline, the set-up builds `convergence/python-base` from Debian's python3-fastapi and python3-uvicorn.",
  },
  GO_BASE_IMAGE: {
    group: "tenants",
    meaning:
      "Base of Go templates (`go/stdlib`): it only runs the static binary the set-up compiles on the host (golang-go, `CGO_ENABLED=0`). Offline: `convergence/static-base`, an empty root.",
  },
  BUN_BASE_IMAGE: {
    group: "tenants",
    meaning: "Base of Bun templates (`bun/hono`); needs `bun` on its PATH. Offline, the set-up builds `convergence/bun-base` from the npm registry's `@oven/bun-linux-x64`.",
  },
  STATIC_BASE_IMAGE: {
    group: "tenants",
    meaning: "Base of the static template (`static/html`), which runs a small Go file server compiled on the host, like `GO_BASE_IMAGE`. Offline: `convergence/static-base`.",
  },
  TEMPLATES_DIR: { group: "tenants", meaning: "`:`-separated folders of templates." },
  TENANT_CONTAINER_PREFIX: { group: "tenants", meaning: "Tenant container names: `<prefix><envId>`." },
  CONVERGENCE_INSTANCE: { group: "tenants", meaning: "The owner label's value: the platform touches only containers, services and networks that carry it." },
  TENANT_MEMORY_MB: { group: "tenants", meaning: "Memory limit per tenant." },
  TENANT_CPUS: { group: "tenants", meaning: "CPU limit per tenant." },
  TENANT_PIDS_LIMIT: { group: "tenants", meaning: "Process limit per tenant." },
  TENANT_READY_TIMEOUT_MS: { group: "tenants", meaning: "How long a new container may take to answer `/health`." },
  DEADLINE_PENDING_MS: { group: "tenants", meaning: "Past this a tenant still `pending` is failed." },
  DEADLINE_PROVISIONING_MS: { group: "tenants", meaning: "Past this a tenant still `provisioning` is failed." },
  DEADLINE_STARTING_MS: {
    group: "tenants",
    meaning: "Past this a tenant still `starting` is failed; `0` = derived: `PROVISION_ATTEMPTS` × (`TENANT_READY_TIMEOUT_MS` + 4 × `PROVISION_BACKOFF_MS`) + 60 s.",
  },
  DEADLINE_DESTROYING_MS: {
    group: "tenants",
    meaning: "Past this a destroy still retrying is reported in the tenant's `error` and logged as an error (it is never given up).",
  },

  CONVERGENCE_RUNTIME: {
    group: "runtime",
    meaning: "`docker`: tenants are containers on the engine at `DOCKER_SOCKET`; `swarm`: one-replica services on the swarm that engine manages.",
  },
  DOCKER_SOCKET: { group: "runtime", meaning: "The Docker engine's socket (workers only: the API never talks to Docker)." },
  TENANT_PROBE_HOST: { group: "runtime", meaning: "Docker runtime: this host's address as workers reach it (a tenant's `address` is `TENANT_PROBE_HOST:<port>`)." },
  TENANT_BIND_HOST: { group: "runtime", meaning: "Docker runtime: the host address tenants' ports are published on." },
  TENANT_UNTHROTTLED_START_MAX_MS: {
    group: "runtime",
    meaning: "Docker runtime: the longest a new container runs without its CPU quota when its app is slow to listen.",
  },
  TENANT_WARM_NETWORKS: {
    group: "runtime",
    meaning: "Docker runtime: networks kept set up ahead for the next spawns' ports (see [networking.md](networking.md#warm-networks)); `0`: none.",
  },

  SWARM_REGISTRY: {
    group: "swarm",
    meaning: "`host:port` of the registry every node pulls template images from (TLS trusted by every engine).",
    default: "the manager's address, port 5000",
  },
  SWARM_MASTER_ADDRESS: {
    group: "swarm",
    meaning: "The master's IPv4 address as the nodes reach it (`host.docker.internal` in every tenant).",
    default: "the manager's swarm address",
  },
  SWARM_CONSTRAINTS: {
    group: "swarm",
    meaning: "`;`-separated placement constraints for tenants and the node agent, e.g. `node.labels.convergence.tenants==true`.",
  },
  SWARM_CPU_RESERVATION: { group: "swarm", meaning: "Share of each tenant's CPU limit reserved for scheduling (memory is reserved in full)." },
  SWARM_TRUSTED_SOURCES: {
    group: "swarm",
    meaning: "Comma-separated IPv4 addresses/CIDRs allowed to open tenants' published ports (the workers' probes, the ingress).",
    default: "the master's address",
  },

  TENANT_NETWORK_SUBNET: {
    group: "network",
    meaning:
      "The bridge all of this instance's tenants share (/16 to /28; must not overlap another network, and must hold `TENANT_PORT_MAX − TENANT_PORT_MIN + 4` addresses: each tenant's address comes from its port).",
  },
  TENANT_EGRESS: { group: "network", meaning: "Tenants' outbound traffic: `public` = the public internet only, `none` = nothing but the master's API port." },
  TENANT_EGRESS_DENY: { group: "network", meaning: "Extra comma-separated CIDRs tenants may never reach (e.g. a LAN in public address space)." },
  TENANT_DNS_SERVERS: {
    group: "network",
    meaning: "Resolvers tenants may reach on port 53 under `public` (Docker's embedded DNS forwards to them from the tenant).",
    default: "the host's `/etc/resolv.conf`",
  },

  TENANT_DOMAIN: {
    group: "ingress",
    meaning: "Tenants answer at `https://<name>-<envId>.<TENANT_DOMAIN>`; a non-public name uses Caddy's internal CA, a real one ACME.",
  },
  INGRESS_HTTPS_PORT: { group: "ingress", meaning: "This instance's HTTPS listener in Caddy." },
  INGRESS_HTTP_PORT: { group: "ingress", meaning: "This instance's HTTP listener in Caddy, which only redirects to HTTPS (`0` = none)." },
  INGRESS_NAME: {
    group: "ingress",
    meaning: "This instance's name in Caddy (its servers and route ids); only processes serving the same tenants on the same ingress ports may share one.",
    default: "`CONVERGENCE_INSTANCE`",
  },
  CADDY_ADMIN_URL: { group: "ingress", meaning: "Caddy's admin API; must stay on loopback (whoever reaches it controls the ingress)." },

  WORKER_CONCURRENCY: { group: "workers", meaning: "Provision, destroy and webhook jobs run at once per worker (periodic ones one at a time, logs 5)." },
  WORKER_LOCK_MS: {
    group: "workers",
    meaning:
      "How long a job lock lives before another worker may take over a dead worker's job (or sweep): a takeover comes about this plus `WORKER_STALLED_INTERVAL_MS` after the last renewal. A slow worker's run is fenced (a Postgres advisory lock per tenant), so a takeover never runs beside it.",
  },
  WORKER_LOCK_RENEW_MS: { group: "workers", meaning: "How often a worker renews its jobs' locks; must be below `WORKER_LOCK_MS`." },
  WORKER_STALLED_INTERVAL_MS: { group: "workers", meaning: "How often each worker looks for jobs whose lock expired (taken over on the second look)." },
  WORKER_MAX_STALLED_COUNT: { group: "workers", meaning: "Takeovers a job may have before it fails instead." },
  PROVISION_ATTEMPTS: { group: "workers", meaning: "Attempts of a provision job." },
  PROVISION_BACKOFF_MS: { group: "workers", meaning: "Back-off between provision attempts (doubling)." },
  LOGS_TIMEOUT_MS: { group: "workers", meaning: "How long a logs read (or a new follow) waits for a worker before answering 503." },
  LOGS_FOLLOW_LEASE_MS: {
    group: "workers",
    meaning: "How long a follow's slot, and a worker's following of the container, outlive an API or worker process that died without a word (renewed every third of it).",
  },
  LOGS_FOLLOW_WORKER_CONCURRENCY: { group: "workers", meaning: "Tenants whose logs one worker process follows at once." },
  WORKER_HEARTBEAT_FILE: {
    group: "workers",
    meaning: "A file each worker touches while Redis and Postgres answer; `node dist/worker/healthcheck.js` fails when it is 3 intervals old. Empty: off.",
  },
  WORKER_HEARTBEAT_MS: { group: "workers", meaning: "How often the heartbeat file is written." },

  TENANT_IDLE_PAUSE_S: {
    group: "tenants",
    meaning:
      "Default idle policy: a ready tenant with no requests and no open connections for this many seconds is paused (`docker pause`); 0 = never. A spawn's `idle` overrides it. See [idle.md](idle.md).",
  },
  TENANT_IDLE_STOP_S: {
    group: "tenants",
    meaning: "Default idle policy: after this many seconds without traffic a tenant is stopped (memory freed; port, route, key and data kept); 0 = never.",
  },
  TENANT_WAKE_TIMEOUT_MS: {
    group: "tenants",
    meaning: "How long the ingress holds a request to a sleeping tenant while it wakes; past it the client gets 503 with `Retry-After` and the reason is in the tenant's status.",
  },
  WAKER_PORT: {
    group: "ingress",
    meaning:
      "Port of the waker, the listener in the API process that sleeping tenants' ingress routes point at (it holds requests while the tenant wakes); 0 = no waker. Every API process and worker must agree on it.",
  },
  WAKER_HOST: { group: "ingress", meaning: "Address the waker listens on and Caddy dials it at (loopback by default)." },
  HEALTH_INTERVAL_MS: { group: "health", meaning: "Interval of the health sweep." },
  HEALTH_TIMEOUT_MS: { group: "health", meaning: "Timeout of one health probe." },
  HEALTH_CONCURRENCY: { group: "health", meaning: "Health probes run in parallel." },
  HEALTH_FAILURE_THRESHOLD: { group: "health", meaning: "Consecutive failed probes before a tenant is `unhealthy`." },
  HEALTH_MAX_RESTARTS: { group: "health", meaning: "Crash loops: restarts before the tenant is failed." },
  HEALTH_RESTART_BACKOFF_MS: { group: "health", meaning: "Crash loops: the base of the doubling back-off between restarts." },
  HEALTH_STABLE_MS: { group: "health", meaning: "Crash loops: restarts are forgiven once the container has stayed up this long since its last restart." },
  RECONCILE_INTERVAL_MS: { group: "health", meaning: "Interval of the reconciler (containers, network, firewall and ingress routes made what Postgres says)." },
  ORPHAN_GRACE_MS: { group: "health", meaning: "How old a labelled container no tenant owns (or an unused network) must be before it is removed." },

  WEBHOOK_ATTEMPTS: { group: "webhooks", meaning: "Delivery attempts per event." },
  WEBHOOK_BACKOFF_MS: { group: "webhooks", meaning: "Base of the exponential back-off between attempts (30 s doubles to hours)." },
  WEBHOOK_TIMEOUT_MS: { group: "webhooks", meaning: "Timeout of one delivery attempt." },
  WEBHOOK_SWEEP_MS: { group: "webhooks", meaning: "How often pending events without a delivery job are enqueued again (a Redis loss drops nothing)." },
  WEBHOOK_ALLOWED_HOSTS: { group: "webhooks", meaning: "Hosts (or `host:port`) a webhook may target although they resolve to a loopback or private address." },

  LLM_BASE_URL: {
    group: "converge",
    meaning: "OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, llama.cpp, LM Studio); unset → the offline provider.",
  },
  LLM_API_KEY: { group: "converge", meaning: "The provider's API key." },
  LLM_MODEL: { group: "converge", meaning: "The provider's model." },
  LLM_TIMEOUT_MS: { group: "converge", meaning: "Provider timeout (→ 504)." },
  LLM_MAX_RETRIES: { group: "converge", meaning: "Retries on the provider's 429/5xx (then → 502)." },
  CONVERGE_TIMEOUT_MS: {
    group: "converge",
    meaning:
      "A convergence call's whole budget (all rounds), instead of `REQUEST_TIMEOUT_MS`: past it the model request is cancelled, the call answers 504 `UPSTREAM_TIMEOUT` and is recorded `aborted` (not billed).",
  },
  CONVERGE_PROMPT_MAX_CHARS: { group: "converge", meaning: "Longest prompt a convergence call accepts." },
  CONVERGE_ROLE_MAX_CHARS: { group: "converge", meaning: "Longest agent role a convergence call accepts." },
  METERING_DURABLE_COMMIT: {
    group: "converge",
    meaning: "Wait for the WAL flush on metering commits (see [api.md](api.md#metering-durability)).",
  },

  JWT_ISSUER: { group: "auth", meaning: "The `iss` of access tokens (and what verification requires)." },
  JWT_AUDIENCE: { group: "auth", meaning: "The `aud` of access tokens (and what verification requires)." },
  JWT_DEFAULT_TTL_SECONDS: { group: "auth", meaning: "Access-token lifetime when none is asked for." },
  JWT_MAX_TTL_SECONDS: { group: "auth", meaning: "The longest access-token lifetime allowed." },
  JWT_KEY_ROTATION_SECONDS: { group: "auth", meaning: "A new signing key this often." },
  JWT_KEY_OVERLAP_SECONDS: {
    group: "auth",
    meaning: "How long a retired signing key keeps verifying (must be ≥ `JWT_MAX_TTL_SECONDS`).",
    default: "`JWT_MAX_TTL_SECONDS` + 300",
  },
  SESSION_TTL_SECONDS: {
    group: "auth",
    meaning: "A dashboard session's token lifetime (renewed while in use, so also how long an idle one lasts; at most `JWT_MAX_TTL_SECONDS`).",
    default: "`900` (or less, to stay within `JWT_MAX_TTL_SECONDS` and `SESSION_MAX_AGE_SECONDS`)",
  },
  SESSION_MAX_AGE_SECONDS: { group: "auth", meaning: "The longest a dashboard session may be renewed for before signing in again." },
  SESSION_COOKIE_SECURE: {
    group: "auth",
    meaning: "The session cookies' `Secure` attribute: `auto` = when the request came over HTTPS; `true` behind a proxy that terminates TLS (browsers then keep the cookies for HTTPS only).",
  },
  AUTH_FAILURE_LIMIT: {
    group: "auth",
    meaning: "Failed authentications with one credential from one client address within the window before that credential gets 429 (a valid credential never does); `0` turns it off.",
  },
  AUTH_FAILURE_WINDOW_SECONDS: { group: "auth", meaning: "The window failed authentications are counted in (from the client's first)." },
  TRUSTED_PROXIES: {
    group: "auth",
    meaning:
      "Peers (comma-separated IPv4 or IPv6 addresses or CIDRs) whose `X-Forwarded-Proto` and `X-Forwarded-For` the API believes: the ingress as the API sees it. Behind them, the client (for counting failed authentications) is the rightmost `X-Forwarded-For` address that is not itself one of them; empty trusts no proxy.",
  },

  ORG_MAX_TENANTS: { group: "limits", meaning: "Live tenants an organisation may have (`maxTenants`)." },
  ORG_SPAWNS_PER_MINUTE: { group: "limits", meaning: "Spawns: a token bucket of N that refills at N a minute (`spawnsPerMinute`)." },
  ORG_ROTATIONS_PER_MINUTE: { group: "limits", meaning: "Tenant key rotations, as a token bucket (`rotationsPerMinute`)." },
  ORG_DEPLOYS_PER_MINUTE: { group: "limits", meaning: "Deploys, rollbacks and env changes, as a token bucket (`deploysPerMinute`)." },
  DEPLOY_MAX_BYTES: { group: "deploys", meaning: "The largest archive `POST /tenant/{id}/deployments` takes (413 above)." },
  DEPLOY_MAX_FILES: { group: "deploys", meaning: "The most entries an archive may have (400 above)." },
  DEPLOY_BUILD_TIMEOUT_S: { group: "deploys", meaning: "A build taking longer fails the deployment (the live revision keeps serving)." },
  DEPLOY_BUILDS_PER_WORKER: { group: "deploys", meaning: "Deploy jobs (builds and switches) one worker runs at once." },
  DEPLOY_BUILD_MEMORY_MB: { group: "deploys", meaning: "Memory of the throwaway build container (where `npm install` runs)." },
  DEPLOY_BUILD_CPUS: { group: "deploys", meaning: "CPUs of the build container." },
  DEPLOY_GO_BUILDER_IMAGE: {
    group: "deploys",
    meaning:
      "The image Go deploys are compiled in (a Go toolchain image such as `golang:1.22-bookworm`; compose sets that); empty: one built lazily from PYTHON_BASE_IMAGE plus the worker's own Go installation (`/usr/lib/go` or `/usr/local/go`), kept as `convergence-deploy-go-builder:<hash>`.",
  },
  DEPLOY_BUILD_CA_FILE: {
    group: "deploys",
    meaning: "A CA bundle the build container trusts for the npm registry (a TLS-inspecting egress proxy); empty: `NODE_EXTRA_CA_CERTS` of the worker, else none.",
  },
  DEPLOY_KEEP: { group: "deploys", meaning: "Images kept per tenant (the newest revisions'); older ones are removed and cannot be rolled back to." },
  DEPLOY_DRAIN_MS: { group: "deploys", meaning: "After the route moved to a new revision, how long the old one keeps running for requests in flight before it is stopped." },
  DEPLOY_HEALTH_TIMEOUT_MS: { group: "deploys", meaning: "How long a new revision has to pass its health check three times in a row." },
  DEPLOY_LOG_MAX_BYTES: { group: "deploys", meaning: "A deployment's build and start log is cut to its last this many bytes." },
  ORG_DESTROYS_PER_MINUTE: { group: "limits", meaning: "Destroys, as a token bucket (`destroysPerMinute`)." },
  ORG_LOGS_PER_MINUTE: { group: "limits", meaning: "Log reads, as a token bucket (`logsPerMinute`)." },
  ORG_MAX_EVENT_STREAMS: { group: "limits", meaning: "Event streams an organisation may hold open at once (`maxEventStreams`)." },
  ORG_MAX_HELD_WAITS: { group: "limits", meaning: "`status?wait=` requests an organisation may have held at once (`maxHeldWaits`)." },
  LOGS_FOLLOW_MAX_PER_ORG: { group: "limits", meaning: "Live log follows an organisation may hold open at once (`maxLogFollows`); one more is a 429." },
  CAPACITY_MEMORY_MB: { group: "limits", meaning: "The memory tenants may be given, in MB; `0` = this machine's total memory." },
  CAPACITY_MEMORY_SHARE: {
    group: "limits",
    meaning: "Spawns are refused (503) before live tenants × `TENANT_MEMORY_MB` would pass this share of `CAPACITY_MEMORY_MB`.",
  },

  OPS_PORT: {
    group: "ops",
    meaning: "The API's operations listener: `/metrics` and `/admin/queues` (never on `PORT`); `0` turns it off.",
  },
  OPS_HOST: { group: "ops", meaning: "The operations listener's address; beyond loopback `/metrics` asks for the operator's credentials too." },
  WORKER_METRICS_PORT: { group: "ops", meaning: "Each worker's own `/metrics`, without credentials (the next free port of the 9 after it when taken); `0` turns it off." },
  WORKER_METRICS_HOST: { group: "ops", meaning: "The address workers' `/metrics` listen on." },
  METRICS_MIN_REFRESH_MS: { group: "ops", meaning: "Cluster metrics are read at most this often, however many scrapes." },
} satisfies { [K in ConfigName]?: ConfigDoc };

/** Variables of the schema with no entry (or an empty meaning) in configDocs. */
export function undocumentedConfig(): string[] {
  const docs: Partial<Record<string, ConfigDoc>> = configDocs;
  return Object.keys(configSchema.shape).filter((name) => !docs[name]?.meaning.trim());
}

/** The default as the schema applies it to an unset variable, or what the entry says instead. */
function renderDefault(name: string, doc: ConfigDoc | undefined): string {
  if (doc?.default) return doc.default;
  const field = (configSchema.shape as Record<string, z.ZodType>)[name]!;
  const parsed = field.safeParse(undefined);
  if (!parsed.success) return "required";
  const value: unknown = parsed.data;
  if (value === undefined) return "unset";
  if (Array.isArray(value)) return value.length ? `\`${value.join(",")}\`` : "empty";
  if (value === "") return "empty";
  let text = String(value);
  // A path inside this clone (TEMPLATES_DIR) is shown relative to it, so the file is the same on every machine.
  if (text.startsWith(`${projectRoot}/`)) text = text.slice(projectRoot.length + 1);
  return `\`${text}\``;
}

/** The default as `.env` would spell it: the value an unset variable takes, or "" when there is none to write. */
function envDefault(name: string): string {
  const field = (configSchema.shape as Record<string, z.ZodType>)[name]!;
  const parsed = field.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return "";
  const value: unknown = parsed.data;
  let text = Array.isArray(value) ? value.join(",") : String(value);
  if (text.startsWith(`${projectRoot}/`)) text = text.slice(projectRoot.length + 1);
  return text;
}

/** Markdown to plain text for a comment: no backticks, links as their text. */
const plain = (s: string) => s.replace(/`/g, "").replace(/\[([^\]]+)\]\([^)]+\)/g, "$1");

/** Words wrapped into `# `-comment lines of at most ~100 characters. */
function commentLines(text: string): string[] {
  const lines: string[] = [];
  let line = "#";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length + word.length + 1 > 100 && line !== "#") {
      lines.push(line);
      line = "#";
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

/**
 * `.env.example`, from the schema and configDocs: every variable, grouped like docs/configuration.md,
 * with its meaning and default. Required variables are uncommented (empty: fill them in); the rest
 * are commented out at their default, so copying the file to `.env` changes nothing until a line is
 * uncommented.
 */
export function renderEnvExample(): string {
  const docs: Partial<Record<string, ConfigDoc>> = configDocs;
  const names = Object.keys(configSchema.shape);
  const out = [
    "# Convergence configuration: every variable, with its default.",
    "# Generated from shared/config.ts and shared/config-docs.ts by `npm run docs:config`: do not edit by hand.",
    "# scripts/setup.sh writes a working .env (passwords and ENCRYPTION_KEY included); docs/configuration.md",
    "# says the same as this file, as tables. Variables set in the environment win over .env.",
    "",
  ];
  for (const [group, { title }] of Object.entries(configGroups) as [ConfigGroup, { title: string }][]) {
    const inGroup = names.filter((n) => docs[n]?.group === group);
    if (!inGroup.length) continue;
    out.push(`# ── ${title} ${"─".repeat(Math.max(3, 96 - title.length))}`, "");
    for (const name of inGroup) {
      const doc = docs[name]!;
      const required = !(configSchema.shape as Record<string, z.ZodType>)[name]!.safeParse(undefined).success;
      out.push(...commentLines(plain(doc.meaning)));
      if (required) out.push(`# Required${doc.default ? ` (${plain(doc.default)})` : ""}.`);
      else if (doc.default) out.push(`# Default: ${plain(doc.default)}.`);
      out.push(required ? `${name}=` : `# ${name}=${envDefault(name)}`, "");
    }
  }
  return `${out.join("\n").trimEnd()}\n`;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** docs/configuration.md, from the schema and configDocs: every variable of the schema, grouped, in schema order within a group. */
export function renderConfigReference(): string {
  const docs: Partial<Record<string, ConfigDoc>> = configDocs;
  const names = Object.keys(configSchema.shape);
  const out = [
    "# Configuration",
    "",
    "<!-- Generated from shared/config.ts and shared/config-docs.ts by `npm run docs:config`: do not edit by hand. -->",
    "",
    "Every process reads its configuration from the environment once, at start, with zod; a process with",
    "bad configuration refuses to start and names the variable. A local `.env` (written by",
    "`scripts/setup.sh`, mode 600, never committed) fills in whatever the environment does not set.",
    "`.env.example` lists every variable with its default, generated together with this file.",
    "",
    'Nonsense is refused: a number that is empty (`PORT=""`), not a number or negative, a port outside',
    "1..65535, an address range that is not a CIDR (`300.1.1.1/40`, checked with ipaddr.js).",
    "",
    "A new variable goes in `shared/config.ts` (the schema) and `shared/config-docs.ts` (its group and",
    "meaning); then `npm run docs:config` rewrites this file and `.env.example`. `tests/unit/config-reference.test.ts` fails",
    "until both are done.",
    "",
  ];
  const unknown = names.filter((n) => !docs[n]);
  for (const [group, { title, intro }] of Object.entries(configGroups) as [ConfigGroup, { title: string; intro?: string }][]) {
    const inGroup = names.filter((n) => docs[n]?.group === group);
    if (!inGroup.length) continue;
    out.push(`## ${title}`, "");
    if (intro) out.push(intro, "");
    out.push("| variable | default | meaning |", "|---|---|---|");
    for (const name of inGroup) out.push(`| \`${name}\` | ${cell(renderDefault(name, docs[name]))} | ${cell(docs[name]!.meaning)} |`);
    out.push("");
  }
  if (unknown.length) {
    out.push("## Not yet described", "", "| variable | default |", "|---|---|");
    for (const name of unknown) out.push(`| \`${name}\` | ${cell(renderDefault(name, undefined))} |`);
    out.push("");
  }
  return out.join("\n");
}
