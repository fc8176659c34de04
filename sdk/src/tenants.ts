/**
 * Tenants: spawn (and wait until ready), read, list, wait for a state, follow the state changes
 * as they happen, read or follow logs, rotate the key, destroy. Every call takes a tenant as its
 * envId (`7`) or its tenant id (`"tenant_7"`). `spawn` and `handle` give a TenantHandle, the
 * tenant's data with these calls bound to it.
 */
import { ConvergenceError, TenantFailedError, WaitTimeoutError } from "./errors.js";
import { TenantHandle } from "./tenant-handle.js";
import { unwrap, type ApiClient } from "./http.js";
import { envIdOf, type TenantId } from "./ids.js";
import { followSse, type ReconnectOptions } from "./sse.js";
import type { CallOptions, Deployment, DeploymentLog, SpawnedTenant, SpawnInput, Tenant, TenantEvent, TenantLogLine, TenantLogs, TenantStatus, TenantWithKey, WebhookDelivery } from "./types.js";

export interface SpawnOptions extends CallOptions {
  /** `"ready"`: resolve once the tenant answers on its port; reject with TenantFailedError if it fails instead. */
  wait?: "ready";
  /** With `wait`: how long to wait (default 120 000 ms) before rejecting with `WAIT_TIMEOUT`. */
  timeoutMs?: number;
  /**
   * Makes the spawn safe to repeat: the same key and body answer the same tenant, key included.
   * When omitted, one is generated per call, so the SDK's own retries never make two tenants.
   */
  idempotencyKey?: string;
}

export interface WaitOptions extends CallOptions {
  /** Default 120 000 ms; then the call rejects with `WAIT_TIMEOUT`. */
  timeoutMs?: number;
}

export interface DestroyOptions extends CallOptions {
  /** Resolve only once the tenant is `destroyed` (its container and port gone). */
  wait?: boolean;
  /** With `wait`: default 120 000 ms. */
  timeoutMs?: number;
}

export interface ListOptions extends CallOptions {
  /** Only tenants in these states. */
  status?: TenantStatus | TenantStatus[];
  /** Page size, 1-100 (default 20). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: number;
}

export interface EventsOptions extends CallOptions, ReconnectOptions {
  /** Resume after this event id (the `id` of the last event seen); by default the whole history comes first. */
  lastEventId?: number;
}

export interface LogsOptions extends CallOptions, ReconnectOptions {
  /** How many of the most recent lines (default 100, at most 5000; with `follow`, 0 = only new ones). */
  tail?: number;
  /** Go on yielding each new line as the tenant prints it, until it is destroyed. */
  follow?: boolean;
}

export interface DeployOptions extends CallOptions {
  /** `"live"`: resolve once the revision serves; reject with `DEPLOYMENT_FAILED` (its `details` is the deployment) if it fails. */
  wait?: "live";
  /** With `wait`: default 300 000 ms (a build installs dependencies). */
  timeoutMs?: number;
  /** `deploy` only: where the new revision's health is checked, and the tenant's from then on (default: the tenant's, /health). */
  healthPath?: string;
}

const DEFAULT_WAIT_MS = 120_000;
const DEFAULT_DEPLOY_WAIT_MS = 300_000;
/** The longest the API holds a status request (its `timeout` maximum, in seconds). */
const LONG_POLL_S = 60;

export class Tenants {
  constructor(private readonly api: ApiClient) {}

  /** Accepts a tenant; with `wait: "ready"`, resolves when it is ready. The API key is in this answer only. */
  async spawn(input: SpawnInput, options: SpawnOptions = {}): Promise<TenantHandle<SpawnedTenant>> {
    const { signal } = options;
    const idempotencyKey = options.idempotencyKey ?? crypto.randomUUID();
    const { tenant } = await unwrap(this.api.POST("/api/v1/tenant/spawn", { body: input, params: { header: { "idempotency-key": idempotencyKey } }, signal }));
    const spawned = TenantHandle.of(this, tenant);
    if (options.wait) await spawned.wait(options.wait, { timeoutMs: options.timeoutMs, signal });
    return spawned;
  }

  /** A handle on a tenant that exists (its current state read now), with the calls bound to it. */
  async handle(id: TenantId, options: CallOptions = {}): Promise<TenantHandle<Tenant>> {
    return TenantHandle.of(this, await this.get(id, options));
  }

  async get(id: TenantId, options: CallOptions = {}): Promise<Tenant> {
    const { tenant } = await unwrap(this.api.GET("/api/v1/tenant/{id}/status", { params: { path: { id: envIdOf(id) } }, signal: options.signal }));
    return tenant;
  }

  /**
   * Resolves when the tenant is in `status`. Rejects with TenantFailedError if it fails instead,
   * `TENANT_DESTROYED` if it is destroyed instead, `WAIT_TIMEOUT` when `timeoutMs` runs out.
   * Long polling: the API answers the moment the state changes.
   */
  async wait(id: TenantId, status: TenantStatus, options: WaitOptions = {}): Promise<Tenant> {
    const envId = envIdOf(id);
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seconds = Math.min(LONG_POLL_S, Math.floor((deadline - Date.now()) / 1000));
      const tenant =
        seconds >= 1
          ? (await unwrap(this.api.GET("/api/v1/tenant/{id}/status", { params: { path: { id: envId }, query: { wait: status, timeout: seconds } }, signal: options.signal }))).tenant
          : await this.get(envId, options);
      if (tenant.status === status) return tenant;
      if (tenant.status === "failed") throw new TenantFailedError(tenant);
      if (tenant.status === "destroyed") throw new ConvergenceError("TENANT_DESTROYED", `tenant ${envId} was destroyed while waiting for it to be ${status}`);
      if (Date.now() >= deadline) {
        throw new WaitTimeoutError(`tenant ${envId} is still ${tenant.status}, not ${status}, after ${timeoutMs} ms`);
      }
    }
  }

  /** One page of the organisation's tenants, newest first. */
  async list(options: ListOptions = {}): Promise<{ tenants: Tenant[]; nextCursor: number | null }> {
    const status = Array.isArray(options.status) ? options.status.join(",") : options.status;
    const { tenants, nextCursor } = await unwrap(this.api.GET("/api/v1/tenant", { params: { query: { status, limit: options.limit, cursor: options.cursor } }, signal: options.signal }));
    return { tenants, nextCursor };
  }

  /** Every tenant (matching `status`), page after page. */
  async *listAll(options: Omit<ListOptions, "cursor"> = {}): AsyncGenerator<Tenant> {
    let cursor: number | undefined;
    do {
      const page = await this.list({ ...options, limit: options.limit ?? 100, cursor });
      yield* page.tenants;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Tears the tenant down from any state; with `wait`, resolves once it is destroyed. */
  async destroy(id: TenantId, options: DestroyOptions = {}): Promise<Tenant> {
    const envId = envIdOf(id);
    const { tenant } = await unwrap(this.api.DELETE("/api/v1/tenant/{id}", { params: { path: { id: envId } }, signal: options.signal }));
    if (!options.wait || tenant.status === "destroyed") return tenant;
    return this.wait(envId, "destroyed", { timeoutMs: options.timeoutMs, signal: options.signal });
  }

  /** A new API key, in this answer only; the old one is refused at once and a new revision with the new key is switched to (Docker; see docs/deploys.md). */
  async rotateKey(id: TenantId, options: CallOptions = {}): Promise<TenantWithKey> {
    const { tenant } = await unwrap(this.api.POST("/api/v1/tenant/{id}/rotate-key", { params: { path: { id: envIdOf(id) } }, signal: options.signal }));
    return tenant;
  }

  /**
   * Scale to zero: puts the tenant to sleep, `"paused"` (memory kept, wakes in tens of ms) or
   * `"stopped"` (memory freed, wakes in about a start). Its next request through its HTTPS
   * hostname wakes it (held, not refused), as does `wake`. Answers at once; the worker follows.
   */
  async sleep(id: TenantId, mode: "paused" | "stopped", options: CallOptions = {}): Promise<Tenant> {
    const envId = envIdOf(id);
    const { tenant } = await unwrap(this.api.POST("/api/v1/tenant/{id}/sleep", { params: { path: { id: envId } }, body: { mode }, signal: options.signal }));
    return tenant;
  }

  /** Wakes a paused or stopped tenant; with `wait: "ready"`, resolves once it answers again. */
  async wake(id: TenantId, options: CallOptions & { wait?: "ready"; timeoutMs?: number } = {}): Promise<Tenant> {
    const envId = envIdOf(id);
    const { tenant } = await unwrap(this.api.POST("/api/v1/tenant/{id}/wake", { params: { path: { id: envId } }, signal: options.signal }));
    if (!options.wait) return tenant;
    return this.wait(envId, "ready", { timeoutMs: options.timeoutMs, signal: options.signal });
  }

  /** Sets the idle policy: pause, then stop, after so many seconds without traffic (`null` = never). */
  async setIdlePolicy(id: TenantId, idle: { pauseAfterSeconds: number | null; stopAfterSeconds: number | null }, options: CallOptions = {}): Promise<Tenant> {
    const envId = envIdOf(id);
    const { tenant } = await unwrap(this.api.PATCH("/api/v1/tenant/{id}", { params: { path: { id: envId } }, body: { idle }, signal: options.signal }));
    return tenant;
  }

  /**
   * Deploys your own code: `archive` is a .tar.gz of the app's directory (package.json at its
   * root). With `wait: "live"`, resolves once the new revision serves (docs/deploys.md).
   */
  async deploy(id: TenantId, archive: Uint8Array | Blob, options: DeployOptions = {}): Promise<Deployment> {
    const envId = envIdOf(id);
    const { deployment } = await unwrap(
      this.api.POST("/api/v1/tenant/{id}/deployments", {
        params: { path: { id: envId }, query: { healthPath: options.healthPath } },
        body: archive as unknown as string,
        bodySerializer: (b: unknown) => b as BodyInit,
        headers: { "content-type": "application/gzip" },
        signal: options.signal,
      }),
    );
    return options.wait ? this.waitForDeployment(envId, deployment.revision, options) : deployment;
  }

  /** Runs the image of `revision` (which must have gone live) again as a new revision, without a rebuild. */
  async rollback(id: TenantId, revision: number, options: DeployOptions = {}): Promise<Deployment> {
    const envId = envIdOf(id);
    const { deployment } = await unwrap(this.api.POST("/api/v1/tenant/{id}/deployments/{revision}/rollback", { params: { path: { id: envId, revision } }, signal: options.signal }));
    return options.wait ? this.waitForDeployment(envId, deployment.revision, options) : deployment;
  }

  /** Replaces the app's own environment variables (stored encrypted, never returned): a new revision. */
  async setEnv(id: TenantId, vars: Record<string, string>, options: DeployOptions = {}): Promise<Deployment> {
    const envId = envIdOf(id);
    const { deployment } = await unwrap(this.api.PUT("/api/v1/tenant/{id}/env", { params: { path: { id: envId } }, body: { vars }, signal: options.signal }));
    return options.wait ? this.waitForDeployment(envId, deployment.revision, options) : deployment;
  }

  /** The app's variable names, each with a masked hint of its value. */
  async env(id: TenantId, options: CallOptions = {}): Promise<Record<string, string>> {
    const envId = envIdOf(id);
    return (await unwrap(this.api.GET("/api/v1/tenant/{id}/env", { params: { path: { id: envId } }, signal: options.signal }))).vars;
  }

  async deployment(id: TenantId, revision: number, options: CallOptions = {}): Promise<Deployment> {
    const envId = envIdOf(id);
    return (await unwrap(this.api.GET("/api/v1/tenant/{id}/deployments/{revision}", { params: { path: { id: envId, revision } }, signal: options.signal }))).deployment;
  }

  /** One page of the tenant's revisions, newest first. */
  async deployments(id: TenantId, options: CallOptions & { limit?: number; cursor?: number } = {}): Promise<{ deployments: Deployment[]; nextCursor: number | null }> {
    const envId = envIdOf(id);
    const { deployments, nextCursor } = await unwrap(
      this.api.GET("/api/v1/tenant/{id}/deployments", { params: { path: { id: envId }, query: { limit: options.limit, cursor: options.cursor } }, signal: options.signal }),
    );
    return { deployments, nextCursor };
  }

  async deploymentLogs(id: TenantId, revision: number, options: CallOptions = {}): Promise<DeploymentLog> {
    const envId = envIdOf(id);
    return unwrap(this.api.GET("/api/v1/tenant/{id}/deployments/{revision}/logs", { params: { path: { id: envId, revision } }, signal: options.signal }));
  }

  /**
   * Resolves when the revision is live; rejects with `DEPLOYMENT_FAILED` (`details`: the
   * deployment, `message`: its error) when it failed or was superseded first, `WAIT_TIMEOUT` when
   * `timeoutMs` runs out. Long polling: the API holds each request up to 60 s.
   */
  async waitForDeployment(id: TenantId, revision: number, options: WaitOptions = {}): Promise<Deployment> {
    const envId = envIdOf(id);
    const timeoutMs = options.timeoutMs ?? DEFAULT_DEPLOY_WAIT_MS;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seconds = Math.min(LONG_POLL_S, Math.floor((deadline - Date.now()) / 1000));
      const d =
        seconds >= 1
          ? (
              await unwrap(
                this.api.GET("/api/v1/tenant/{id}/deployments/{revision}", { params: { path: { id: envId, revision }, query: { wait: "live", timeout: seconds } }, signal: options.signal }),
              )
            ).deployment
          : await this.deployment(envId, revision, options);
      if (d.status === "live") return d;
      if (d.status === "failed" || d.status === "superseded") {
        throw new ConvergenceError("DEPLOYMENT_FAILED", `revision ${revision} of tenant ${envId} is ${d.status}${d.error ? `: ${d.error}` : ""}`, { details: d });
      }
      if (Date.now() >= deadline) throw new ConvergenceError("WAIT_TIMEOUT", `revision ${revision} of tenant ${envId} is still ${d.status} after ${timeoutMs} ms`);
    }
  }

  /** The tenant's webhook events, newest first, each with every delivery attempt. */
  async webhooks(id: TenantId, options: CallOptions & { limit?: number } = {}): Promise<WebhookDelivery[]> {
    const { events } = await unwrap(this.api.GET("/api/v1/tenant/{id}/webhooks", { params: { path: { id: envIdOf(id) }, query: { limit: options.limit } }, signal: options.signal }));
    return events;
  }

  /**
   * The tenant's state changes, oldest first: its history, then each one as it happens. A dropped
   * connection is reopened with Last-Event-ID, so nothing is missed or repeated. Ends after
   * `destroyed`; leave the loop (or abort the signal) to stop earlier.
   */
  async *events(id: TenantId, options: EventsOptions = {}): AsyncGenerator<TenantEvent> {
    const envId = envIdOf(id);
    const open = (lastEventId: string | undefined, signal: AbortSignal) =>
      unwrap(
        this.api.GET("/api/v1/tenant/{id}/events", {
          params: { path: { id: envId }, header: lastEventId === undefined ? undefined : { "last-event-id": Number(lastEventId) } },
          headers: { Accept: "text/event-stream" },
          parseAs: "stream",
          signal,
        }),
      );
    const messages = followSse(`the event stream of tenant ${envId}`, open, { ...options, lastEventId: options.lastEventId?.toString() });
    for await (const message of messages) {
      if (message.event !== "status") continue;
      const event = { ...(JSON.parse(message.data) as Omit<TenantEvent, "id">), id: Number(message.id) };
      yield event;
      if (event.to === "destroyed") return;
    }
  }

  /**
   * The container's log lines, oldest first, each prefixed with its timestamp (as `docker logs -t`
   * prints them): the most recent `tail`. With `follow`, then each new line as the tenant prints
   * it, until the tenant is destroyed (the loop ends) or you leave the loop or abort the signal;
   * a dropped connection is reopened after the last line received, so nothing is missed or repeated.
   */
  async *logs(id: TenantId, options: LogsOptions = {}): AsyncGenerator<string> {
    const envId = envIdOf(id);
    if (!options.follow) {
      const answer = await unwrap(this.api.GET("/api/v1/tenant/{id}/logs", { params: { path: { id: envId }, query: { tail: options.tail } }, signal: options.signal }));
      yield* (answer as TenantLogs).lines;
      return;
    }
    const open = (lastEventId: string | undefined, signal: AbortSignal) =>
      unwrap(
        this.api.GET("/api/v1/tenant/{id}/logs", {
          params: { path: { id: envId }, query: { tail: options.tail, follow: "true" }, header: lastEventId === undefined ? undefined : { "last-event-id": lastEventId } },
          headers: { Accept: "text/event-stream" },
          parseAs: "stream",
          signal,
        }),
      );
    for await (const message of followSse(`the log stream of tenant ${envId}`, open, options)) {
      if (message.event === "end") return;
      if (message.event !== "line") continue;
      const { at, line } = JSON.parse(message.data) as TenantLogLine;
      yield `${at} ${line}`;
    }
  }
}
