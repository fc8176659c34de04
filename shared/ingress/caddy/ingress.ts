/**
 * The ingress on Caddy, through its JSON admin API only (no Caddyfile).
 *
 * One Caddy may serve several platform instances (and other users): each instance (owner) has
 * its own two server objects, `cvg:<owner>:https` and `cvg:<owner>:http`, on its own ports, and
 * touches nothing else except two shared, add-only settings (below). Those server objects are
 * entirely the platform's: every change rewrites one whole, with a compare-and-swap on Caddy's
 * ETag (If-Match), so concurrent workers never lose each other's routes and no other key of the
 * configuration is ever written.
 *
 * - The HTTPS server has one route per tenant (`@id` = `cvg:<owner>:tenant:<envId>`, a host
 *   matcher, a reverse proxy to the tenant) and a last route answering 404, so a hostname with
 *   no tenant never reaches one. TLS is forced on even with no tenant routes (Caddy would
 *   otherwise serve plain HTTP on a server without host matchers).
 * - The HTTP server answers every request with a 308 to the same URL on the HTTPS port.
 * - With a non-public TENANT_DOMAIN (localhost, *.localhost, *.internal, …) certificates come
 *   from Caddy's internal CA, on demand for any single label under the domain, so an unknown or
 *   removed tenant's hostname still completes TLS and gets its 404. Shared settings, added only
 *   when missing and never removed: that on-demand policy for `*.<domain>`, and
 *   `install_trust: false` on the internal CA (a proxy must not edit the host's trust store).
 *   With a public domain, Caddy's automatic HTTPS obtains each hostname's certificate by ACME.
 * - Every request proxied to a tenant carries `X-Convergence-Ingress: 1`, set by Caddy over
 *   whatever the client sent (and after Caddy dropped the hop-by-hop headers a client may name in
 *   `Connection`, so no client can remove it either): the starter apps ask such calls for the
 *   tenant's API key, while calls on the loopback host port stay as they were.
 * - With an API hostname (API_HOSTNAME), its route (`cvg:<owner>:api`) serves the API's public
 *   paths (/api/v1/…, /app, /docs, /openapi.json; nothing of the operations listener) over HTTPS,
 *   with `X-Forwarded-Proto: https` set the same way, and a JSON 404 for every other path. It is
 *   part of the HTTPS server, so it is written, and written again, with the tenants' routes.
 */
import { IngressError, type DesiredRoutes, type Ingress, type IngressRoute, type SyncResult } from "../types.js";
import { CaddyAdmin, type Json } from "./admin-client.js";

export interface CaddyIngressOptions {
  adminUrl: string;
  /** This instance's name in Caddy (INGRESS_NAME, CONVERGENCE_INSTANCE by default): namespaces server names and route ids. */
  owner: string;
  domain: string;
  httpsPort: number;
  /** 0: no HTTP listener. */
  httpPort: number;
  /** The API's public hostname and the address Caddy dials for it (host:port); absent: no API route. */
  api?: { hostname: string; upstream: string };
}

/** The header Caddy sets on every request it proxies to a tenant (see above). */
export const INGRESS_MARKER_HEADER = "X-Convergence-Ingress";
/** On a request routed to the waker (a sleeping tenant): which tenant it is for; set by Caddy over whatever the client sent. */
export const WAKE_HEADER = "X-Convergence-Wake-Env";

/** The API's paths served on its HTTPS hostname (Caddy path matchers). */
export const API_PUBLIC_PATHS = ["/api/v1", "/api/v1/*", "/app", "/app/*", "/docs", "/docs/*", "/openapi.json"];

export class CaddyIngress implements Ingress {
  private readonly ids: { https: string; http: string; notFound: string; redirect: string; routePrefix: string; tlsPolicy: string; api: string; apiTlsPolicy: string };
  private readonly internalCa: boolean;
  private readonly admin: CaddyAdmin;

  constructor(private readonly opts: CaddyIngressOptions) {
    this.admin = new CaddyAdmin(opts.adminUrl);
    const o = opts.owner;
    this.ids = {
      https: `cvg:${o}:https`,
      http: `cvg:${o}:http`,
      notFound: `cvg:${o}:not-found`,
      redirect: `cvg:${o}:redirect`,
      routePrefix: `cvg:${o}:tenant:`,
      tlsPolicy: `cvg:tls:${opts.domain}`,
      api: `cvg:${o}:api`,
      apiTlsPolicy: `cvg:tls:${opts.api?.hostname ?? ""}`,
    };
    this.internalCa = !qualifiesForPublicCertificate(opts.domain);
  }

  async ensure(): Promise<void> {
    if (this.internalCa) {
      await this.admin.swap(["apps", "pki", "certificate_authorities", "local"], (cur) => (cur == null ? { install_trust: false } : undefined));
      const policy = { "@id": this.ids.tlsPolicy, subjects: [this.opts.domain, `*.${this.opts.domain}`], issuers: [{ module: "internal" }], on_demand: true };
      await this.admin.swap(["apps", "tls", "automation", "policies"], (cur) => {
        const list: Json[] = Array.isArray(cur) ? cur : [];
        const at = list.findIndex((p) => p?.["@id"] === this.ids.tlsPolicy);
        return at < 0 ? [...list, policy] : list.map((p, i) => (i === at ? policy : p));
      });
      const api = this.opts.api?.hostname;
      if (api && !coveredBy(api, this.opts.domain)) {
        // An API hostname outside the tenant domain gets its own (shared, add-only) policy.
        const apiPolicy = { "@id": this.ids.apiTlsPolicy, subjects: [api], issuers: [{ module: "internal" }] };
        await this.admin.swap(["apps", "tls", "automation", "policies"], (cur) => {
          const list: Json[] = Array.isArray(cur) ? cur : [];
          return list.some((p) => p?.["@id"] === this.ids.apiTlsPolicy) ? undefined : [...list, apiPolicy];
        });
      }
    }
    await this.admin.swap(this.serverPath(this.ids.http), () => (this.opts.httpPort > 0 ? this.httpServer() : null));
    await this.admin.swap(this.serverPath(this.ids.https), (cur) => this.httpsServer(this.routesOf(cur)));
  }

  async upsertRoute(route: IngressRoute): Promise<void> {
    await this.changeRoutes((routes) => [...routes.filter((r) => r.envId !== route.envId), route]);
  }

  async removeRoute(envId: number): Promise<void> {
    await this.changeRoutes((routes) => routes.filter((r) => r.envId !== envId));
  }

  async sync(desired: () => Promise<DesiredRoutes>): Promise<SyncResult> {
    await this.ensure();
    let result: SyncResult = { added: [], updated: [], removed: [] };
    // `desired` is read after Caddy's current routes on every attempt, and the write is
    // conditional on those (If-Match): a route removed meanwhile fails the write and is read
    // again, so a removal is never undone from a stale read.
    await this.changeRoutes(async (current) => {
      const { routes, keep = [] } = await desired();
      const byId = new Map(routes.map((r) => [r.envId, r]));
      const kept = current.filter((r) => keep.includes(r.envId) && !byId.has(r.envId));
      const now = new Map(current.map((r) => [r.envId, r]));
      result = {
        added: [...byId.keys()].filter((id) => !now.has(id)),
        updated: [...byId.values()].filter((r) => now.has(r.envId) && !sameRoute(now.get(r.envId)!, r)).map((r) => r.envId),
        removed: [...now.keys()].filter((id) => !byId.has(id) && !keep.includes(id)),
      };
      return [...byId.values(), ...kept];
    });
    return result;
  }

  async listRoutes(): Promise<IngressRoute[]> {
    const res = await this.admin.get(this.serverPath(this.ids.https));
    return this.routesOf(res.body);
  }

  async inFlight(upstreams: string[]): Promise<Map<string, number>> {
    const res = await this.admin.request("GET", "/reverse_proxy/upstreams");
    if (res.status !== 200) throw new IngressError(`Caddy did not list its upstreams (${res.status}): ${res.error ?? ""}`);
    const byAddress = new Map<string, number>();
    for (const u of Array.isArray(res.body) ? res.body : []) {
      if (typeof u?.address === "string") byAddress.set(u.address, (byAddress.get(u.address) ?? 0) + (Number(u.num_requests) || 0));
    }
    return new Map(upstreams.map((a) => [a, byAddress.get(a) ?? 0]));
  }

  async caCertificate(): Promise<string | null> {
    if (!this.internalCa) return null;
    const res = await this.admin.request("GET", "/pki/ca/local");
    if (res.status !== 200 || typeof res.body?.root_certificate !== "string") {
      throw new IngressError(`Caddy did not return its root certificate (${res.status}): ${res.error ?? "no root_certificate"}`);
    }
    return res.body.root_certificate;
  }

  async removeAll(): Promise<void> {
    await this.admin.swap(this.serverPath(this.ids.http), () => null);
    await this.admin.swap(this.serverPath(this.ids.https), () => null);
  }

  /** Rewrites the HTTPS server with `fn(current routes)`; creates the listeners first if Caddy lost them. */
  private async changeRoutes(fn: (routes: IngressRoute[]) => IngressRoute[] | Promise<IngressRoute[]>, afterEnsure = false): Promise<void> {
    let missing = false;
    await this.admin.swap(this.serverPath(this.ids.https), async (cur) => {
      if (cur == null) {
        missing = true;
        return undefined;
      }
      return this.httpsServer(await fn(this.routesOf(cur)));
    });
    if (missing) {
      if (afterEnsure) throw new IngressError(`Caddy's server ${this.ids.https} vanished while routes were being written`);
      await this.ensure();
      await this.changeRoutes(fn, true);
    }
  }

  private httpsServer(routes: IngressRoute[]): Json {
    return {
      listen: [`:${this.opts.httpsPort}`],
      routes: [
        ...(this.opts.api ? [this.apiRoute(this.opts.api)] : []),
        ...[...routes].sort((a, b) => a.envId - b.envId).map((r) => this.caddyRoute(r)),
        { "@id": this.ids.notFound, handle: [notFound()], terminal: true },
      ],
      // Redirects come from this instance's own HTTP server (Caddy's automatic ones would all
      // share one global HTTP port, which instances sharing this Caddy cannot).
      automatic_https: { disable_redirects: true },
      tls_connection_policies: [{}],
    };
  }

  private httpServer(): Json {
    const port = this.opts.httpsPort === 443 ? "" : `:${this.opts.httpsPort}`;
    return {
      listen: [`:${this.opts.httpPort}`],
      routes: [
        {
          "@id": this.ids.redirect,
          handle: [{ handler: "static_response", status_code: 308, headers: { Location: [`https://{http.request.host}${port}{http.request.uri}`] } }],
          terminal: true,
        },
      ],
      automatic_https: { disable: true },
    };
  }

  private caddyRoute(r: IngressRoute): Json {
    const set: Record<string, string[]> = { [INGRESS_MARKER_HEADER]: ["1"], ...(r.wake ? { [WAKE_HEADER]: [String(r.envId)] } : {}) };
    return {
      "@id": `${this.ids.routePrefix}${r.envId}`,
      match: [{ host: [r.hostname] }],
      handle: [{ handler: "reverse_proxy", upstreams: [{ dial: r.upstream }], headers: { request: { set } } }],
      terminal: true,
    };
  }

  private apiRoute(api: { hostname: string; upstream: string }): Json {
    const proxy = { handler: "reverse_proxy", upstreams: [{ dial: api.upstream }], headers: { request: { set: { "X-Forwarded-Proto": ["https"] } } } };
    return {
      "@id": this.ids.api,
      match: [{ host: [api.hostname] }],
      handle: [
        {
          handler: "subroute",
          routes: [
            { match: [{ path: API_PUBLIC_PATHS }], handle: [proxy], terminal: true },
            { handle: [notFound("the API serves /api/v1/, /app, /docs and /openapi.json at this hostname")], terminal: true },
          ],
        },
      ],
      terminal: true,
    };
  }

  private routesOf(server: Json): IngressRoute[] {
    const routes: IngressRoute[] = [];
    for (const r of Array.isArray(server?.routes) ? server.routes : []) {
      const id = r?.["@id"];
      if (typeof id !== "string" || !id.startsWith(this.ids.routePrefix)) continue;
      const envId = Number(id.slice(this.ids.routePrefix.length));
      const hostname = r.match?.[0]?.host?.[0];
      const upstream = r.handle?.[0]?.upstreams?.[0]?.dial;
      const wake = r.handle?.[0]?.headers?.request?.set?.[WAKE_HEADER] !== undefined;
      if (Number.isInteger(envId) && typeof hostname === "string" && typeof upstream === "string") routes.push({ envId, hostname, upstream, ...(wake ? { wake } : {}) });
    }
    return routes;
  }

  private serverPath(id: string): string[] {
    return ["apps", "http", "servers", id];
  }
}

function notFound(message = "no tenant answers at this hostname"): Json {
  return {
    handler: "static_response",
    status_code: 404,
    headers: { "Content-Type": ["application/json"] },
    body: JSON.stringify({ success: false, error: { code: "NOT_FOUND", message } }),
  };
}

/** Whether the internal CA's on-demand policy for `domain` and `*.domain` already covers `host`. */
function coveredBy(host: string, domain: string): boolean {
  return host === domain || (host.endsWith(`.${domain}`) && !host.slice(0, -domain.length - 1).includes("."));
}

function sameRoute(a: IngressRoute, b: IngressRoute): boolean {
  return a.hostname === b.hostname && a.upstream === b.upstream && !!a.wake === !!b.wake;
}

/** The names Caddy's automatic HTTPS would not get a public certificate for: they use the internal CA. */
export function qualifiesForPublicCertificate(domain: string): boolean {
  const d = domain.toLowerCase();
  const internal = ["localhost", "local", "internal", "test", "example", "invalid", "home.arpa", "lan"];
  return d.includes(".") && !internal.some((s) => d === s || d.endsWith(`.${s}`)) && !/^\d+(\.\d+){3}$/.test(d);
}
