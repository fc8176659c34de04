/**
 * Tenant status changes pushed to this process instead of polled: ONE dedicated Postgres
 * connection LISTENs on `tenant_status` (recordTenantEvent NOTIFYs in the transition's own
 * transaction, so a notification arrives only after its row is committed) and fans each
 * notification out in memory to whoever watches that tenant, or its organisation.
 *
 * A notification is a wake-up, not data: a watcher re-reads Postgres when woken, so a lost,
 * duplicated or reordered notification can delay nothing beyond the next wake-up and can never
 * show a state that was not committed. After the connection drops and comes back, every
 * watcher is woken once ("resync"), because notifications sent while it was away are gone.
 *
 * The connection and its re-subscribing with back-off are the platform's one PgListener
 * (shared/db/listener.ts): a restart of Postgres must not leave the API deaf for good.
 */
import { EventEmitter } from "node:events";
import { PgListener } from "../db/listener.js";
import type { Logger } from "../logger.js";

export const TENANT_STATUS_CHANNEL = "tenant_status";
const RESYNC = "resync";
const ANY = "any";
/** Organisation watchers also listen here, for notifications that do not say whose tenant changed. */
const ANY_ORG = "org:?";
const orgKey = (orgId: number) => `org:${orgId}`;

/** A wake-up latch for one tenant: wake-ups that arrive while nobody waits are not lost. */
export interface StatusSubscription {
  /**
   * Resolves `true` at once if the tenant changed since the last call (or since subscribing),
   * otherwise at the next change; `false` when `timeoutMs` passes or `signal` aborts first.
   */
  next(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  close(): void;
}

export class TenantStatusFeed {
  private readonly emitter = new EventEmitter();
  private readonly listener: PgListener;
  private stopped = false;
  private watchers = 0;

  constructor(
    databaseUrl: string,
    private readonly logger: Logger,
  ) {
    // Every open status wait or event stream is one listener; there is no sensible maximum.
    this.emitter.setMaxListeners(0);
    this.listener = new PgListener(databaseUrl, [TENANT_STATUS_CHANNEL], logger, "convergence-status-feed");
    this.listener.onNotify(TENANT_STATUS_CHANNEL, (payload) => this.onNotify(payload));
    // Lost (and again once restored): changes may have gone unheard, caches evict.
    this.listener.onReset(() => this.emitter.emit(ANY, null));
    // Anything that changed while we were not listening went unannounced: everyone re-reads.
    this.listener.onListen(() => this.emitter.emit(RESYNC));
  }

  /** Subscribes; resolves once listening, or after the first failure (it keeps retrying in the background). */
  async start(): Promise<void> {
    await this.listener.start();
  }

  /** Whether the LISTEN is currently in place (for /readyz and logs). */
  get isListening(): boolean {
    return this.listener.isListening;
  }

  /** Open subscriptions: held status requests and event streams in this process. */
  get watcherCount(): number {
    return this.watchers;
  }

  /** After close(): watchers should answer with what they have instead of waiting on. */
  get isClosed(): boolean {
    return this.stopped;
  }

  /** Wakes on every change of this tenant. */
  watch(envId: number): StatusSubscription {
    return this.subscription([String(envId)]);
  }

  /**
   * Wakes on every change of any of this organisation's tenants (and on a notification that does
   * not name its organisation, which an older writer may send).
   */
  watchOrganisation(orgId: number): StatusSubscription {
    return this.subscription([orgKey(orgId), ANY_ORG]);
  }

  private subscription(keys: string[]): StatusSubscription {
    let pending = false;
    let wake: (() => void) | null = null;
    const onChange = () => {
      pending = true;
      wake?.();
    };
    for (const key of [...keys, RESYNC]) this.emitter.on(key, onChange);
    this.watchers++;
    let closed = false;
    return {
      next: (timeoutMs, signal) => {
        if (pending) {
          pending = false;
          return Promise.resolve(true);
        }
        if (signal?.aborted || this.stopped) return Promise.resolve(false);
        return new Promise<boolean>((resolve) => {
          const done = (changed: boolean) => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", onAbort);
            wake = null;
            if (changed) pending = false;
            resolve(changed);
          };
          const onAbort = () => done(false);
          const timer = setTimeout(() => done(false), Math.max(0, timeoutMs));
          signal?.addEventListener("abort", onAbort, { once: true });
          wake = () => done(true);
        });
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.watchers--;
        for (const key of [...keys, RESYNC]) this.emitter.off(key, onChange);
        wake = null;
      },
    };
  }

  /**
   * Calls `fn(envId)` on every status change this process hears of, and `fn(null)` when
   * changes may have gone unheard (the LISTEN was lost and restored): caches use it to evict.
   */
  onChange(fn: (envId: number | null) => void): void {
    this.emitter.on(ANY, fn);
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.emitter.emit(RESYNC); // waiters re-read once and finish (they check isClosed) instead of holding shutdown
    await this.listener.close();
  }

  private onNotify(payload: string) {
    try {
      const { envId, orgId } = JSON.parse(payload) as { envId?: unknown; orgId?: unknown };
      if (typeof envId === "number") {
        this.emitter.emit(ANY, envId);
        this.emitter.emit(String(envId));
        this.emitter.emit(typeof orgId === "number" ? orgKey(orgId) : ANY_ORG);
      }
    } catch {
      this.logger.warn({ channel: TENANT_STATUS_CHANNEL }, "ignoring a malformed tenant_status notification");
    }
  }
}
