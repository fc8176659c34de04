/**
 * Tenants: spawn (and wait until ready), read, list, wait for a state, follow the state changes
 * as they happen, read logs, rotate the key, destroy.
 */
import { ConvergenceError, TenantFailedError } from "./errors.js";
import { sleep, unwrap, type ApiClient } from "./http.js";
import { readSse } from "./sse.js";
import type { CallOptions, SpawnedTenant, SpawnInput, Tenant, TenantEvent, TenantStatus, TenantWithKey, WebhookDelivery } from "./types.js";

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

export interface EventsOptions extends CallOptions {
  /** Resume after this event id (the `id` of the last event seen); by default the whole history comes first. */
  lastEventId?: number;
  /** Failed reconnections in a row before the iterator gives up and throws (default 10). */
  maxReconnects?: number;
  /** Wait before reconnecting (default 1 000 ms, or what the server's `retry:` says), doubled per failure in a row, at most 30 s. */
  reconnectDelayMs?: number;
}

export interface LogsOptions extends CallOptions {
  /** How many of the most recent lines (default 100, at most 5000). */
  tail?: number;
}

const DEFAULT_WAIT_MS = 120_000;
/** The longest the API holds a status request (its `timeout` maximum, in seconds). */
const LONG_POLL_S = 60;

export class Tenants {
  constructor(private readonly api: ApiClient) {}

  /** Accepts a tenant; with `wait: "ready"`, resolves when it is ready. The API key is in this answer only. */
  async spawn(input: SpawnInput, options: SpawnOptions = {}): Promise<SpawnedTenant> {
    const { signal } = options;
    const idempotencyKey = options.idempotencyKey ?? crypto.randomUUID();
    const { tenant } = await unwrap(
      this.api.POST("/api/v1/tenant/spawn", { body: input, params: { header: { "idempotency-key": idempotencyKey } }, signal }),
    );
    if (!options.wait) return tenant;
    const ready = await this.wait(tenant.envId, options.wait, { timeoutMs: options.timeoutMs, signal });
    return { ...ready, apiKey: tenant.apiKey };
  }

  async get(envId: number, options: CallOptions = {}): Promise<Tenant> {
    const { tenant } = await unwrap(this.api.GET("/api/v1/tenant/{id}/status", { params: { path: { id: envId } }, signal: options.signal }));
    return tenant;
  }

  /**
   * Resolves when the tenant is in `status`. Rejects with TenantFailedError if it fails instead,
   * `TENANT_DESTROYED` if it is destroyed instead, `WAIT_TIMEOUT` when `timeoutMs` runs out.
   * Long polling: the API answers the moment the state changes.
   */
  async wait(envId: number, status: TenantStatus, options: WaitOptions = {}): Promise<Tenant> {
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
        throw new ConvergenceError("WAIT_TIMEOUT", `tenant ${envId} is still ${tenant.status}, not ${status}, after ${timeoutMs} ms`);
      }
    }
  }

  /** One page of the organisation's tenants, newest first. */
  async list(options: ListOptions = {}): Promise<{ tenants: Tenant[]; nextCursor: number | null }> {
    const status = Array.isArray(options.status) ? options.status.join(",") : options.status;
    const { tenants, nextCursor } = await unwrap(
      this.api.GET("/api/v1/tenant", { params: { query: { status, limit: options.limit, cursor: options.cursor } }, signal: options.signal }),
    );
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
  async destroy(envId: number, options: DestroyOptions = {}): Promise<Tenant> {
    const { tenant } = await unwrap(this.api.DELETE("/api/v1/tenant/{id}", { params: { path: { id: envId } }, signal: options.signal }));
    if (!options.wait || tenant.status === "destroyed") return tenant;
    return this.wait(envId, "destroyed", { timeoutMs: options.timeoutMs, signal: options.signal });
  }

  /** A new API key, in this answer only; the old one is refused at once and the container is re-created with the new one. */
  async rotateKey(envId: number, options: CallOptions = {}): Promise<TenantWithKey> {
    const { tenant } = await unwrap(this.api.POST("/api/v1/tenant/{id}/rotate-key", { params: { path: { id: envId } }, signal: options.signal }));
    return tenant;
  }

  /** The tenant's webhook events, newest first, each with every delivery attempt. */
  async webhooks(envId: number, options: CallOptions & { limit?: number } = {}): Promise<WebhookDelivery[]> {
    const { events } = await unwrap(
      this.api.GET("/api/v1/tenant/{id}/webhooks", { params: { path: { id: envId }, query: { limit: options.limit } }, signal: options.signal }),
    );
    return events;
  }

  /**
   * The tenant's state changes, oldest first: its history, then each one as it happens. A dropped
   * connection is reopened with Last-Event-ID, so nothing is missed or repeated. Ends after
   * `destroyed`; leave the loop (or abort the signal) to stop earlier.
   */
  async *events(envId: number, options: EventsOptions = {}): AsyncGenerator<TenantEvent> {
    const maxReconnects = options.maxReconnects ?? 10;
    let delayMs = options.reconnectDelayMs ?? 1000;
    let lastEventId = options.lastEventId;
    let failures = 0;
    let lastError: unknown;
    // Our own controller, so leaving the loop early also closes the connection.
    const stop = new AbortController();
    const onAbort = () => stop.abort(options.signal!.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for (;;) {
        try {
          const body = await unwrap(
            this.api.GET("/api/v1/tenant/{id}/events", {
              params: { path: { id: envId }, header: lastEventId === undefined ? undefined : { "last-event-id": lastEventId } },
              headers: { Accept: "text/event-stream" },
              parseAs: "stream",
              signal: stop.signal,
            }),
          );
          for await (const message of readSse(body, (ms) => (delayMs = ms))) {
            if (message.event !== "status") continue;
            const event = { ...(JSON.parse(message.data) as Omit<TenantEvent, "id">), id: Number(message.id) };
            lastEventId = event.id;
            failures = 0;
            yield event;
            if (event.to === "destroyed") return;
          }
        } catch (err) {
          if (stop.signal.aborted) throw options.signal?.reason ?? err;
          // An answer (404, 401, …) is final; only a lost connection or a 503 is worth reopening.
          if (err instanceof ConvergenceError && err.status !== null && err.status !== 503) throw err;
          lastError = err;
        }
        // The stream ended or dropped before `destroyed`: reopen it after the last event seen.
        if (++failures > maxReconnects) {
          throw lastError ?? new ConvergenceError("CONNECTION_FAILED", `the event stream of tenant ${envId} ended ${failures} times in a row without an event`);
        }
        await sleep(Math.min(30_000, delayMs * 2 ** (failures - 1)), stop.signal);
      }
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      stop.abort();
    }
  }

  /** The container's most recent log lines, oldest first, each prefixed with its timestamp. */
  async *logs(envId: number, options: LogsOptions = {}): AsyncGenerator<string> {
    const { lines } = await unwrap(
      this.api.GET("/api/v1/tenant/{id}/logs", { params: { path: { id: envId }, query: { tail: options.tail } }, signal: options.signal }),
    );
    yield* lines;
  }
}
