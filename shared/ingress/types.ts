/**
 * The ingress behind one small interface: the reverse proxy that gives every tenant its own
 * HTTPS hostname. Caddy through its JSON admin API implements it (./caddy/); the choice is
 * made in one place (./index.ts). Like the container runtime, the proxy's state is a cache of
 * Postgres: `sync` rewrites it whole at any time, so a proxy restarted empty loses nothing.
 */

/** One tenant's route: requests for `hostname` go to `upstream`. */
export interface IngressRoute {
  envId: number;
  hostname: string;
  /** host:port the proxy dials: the container's own address when the runtime reports one, else where its app answers. */
  upstream: string;
  /**
   * The route leads to the waker (a sleeping tenant, docs/idle.md), not to the tenant: `upstream`
   * is the waker's address and the proxy tells it which tenant the request is for.
   */
  wake?: boolean;
}

/** What `sync` makes the routes: exactly `routes`, except that the routes of `keep` (envIds) are left as they are. */
export interface DesiredRoutes {
  routes: IngressRoute[];
  keep?: number[];
}

export interface SyncResult {
  added: number[];
  updated: number[];
  removed: number[];
}

export interface Ingress {
  /** Makes sure this platform instance's listeners (HTTPS, and HTTP redirecting to it) exist; idempotent. */
  ensure(): Promise<void>;
  /** Adds the tenant's route, or replaces it (same envId) when the hostname or upstream changed. */
  upsertRoute(route: IngressRoute): Promise<void>;
  /** Removes the tenant's route; a no-op when it is not there. Its hostname then answers 404. */
  removeRoute(envId: number): Promise<void>;
  /**
   * Makes this instance's routes what `desired()` says (and ensures the listeners): what the
   * reconciler calls, reading Postgres in `desired`. It is called after the proxy's current
   * routes are read, and again whenever they changed before the write, so a route removed
   * concurrently (a destroy) is never written back from a stale read. Routes of other instances
   * sharing the proxy, and the rest of its configuration, are never touched.
   */
  sync(desired: () => Promise<DesiredRoutes>): Promise<SyncResult>;
  listRoutes(): Promise<IngressRoute[]>;
  /** Requests the proxy has in flight to each of these upstreams now (an open stream is one); 0 for one it does not know. */
  inFlight(upstreams: string[]): Promise<Map<string, number>>;
  /** PEM of the root certificate clients must trust when the proxy issues certificates itself; null when it uses a public CA. */
  caCertificate(): Promise<string | null>;
  /** Removes this instance's listeners and routes (uninstall, tests). */
  removeAll(): Promise<void>;
}

export class IngressError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}
