/** The Hono environment: what every handler can read from the context. */
import type { Deadline } from "../shared/deadline.js";
import type { Principal } from "../shared/auth/principal.js";
import type { AuthServices } from "../shared/auth/services.js";
import type { AppContext } from "../shared/context.js";
import type { Tenant } from "../shared/db/schema.js";
import type { TenantKeyCache } from "../shared/tenant-keys.js";
import type { TenantRowCache } from "../shared/tenants/row-cache.js";
import type { TenantStatusFeed } from "../shared/tenants/status-feed.js";
import type { ApiMetrics } from "./metrics.js";
import type { RequestLogger } from "./request-logger.js";

export interface ApiContext extends AppContext {
  /** One LISTEN connection on `tenant_status`: wakes `status?wait=` and the events stream (no polling). */
  statusFeed: TenantStatusFeed;
  /** Prometheus: cluster metrics read at scrape time (queue depths from ctx.queues) and this process's HTTP metrics. */
  metrics: ApiMetrics;
  /** Tenant keys already verified, evicted on every tenant status change (see TenantKeyCache). */
  tenantKeys: TenantKeyCache;
  /** Tenant rows for status reads, evicted on every tenant status change (see TenantRowCache). */
  tenantRows: TenantRowCache;
  /** Access tokens (signing keys, verification), token epochs, and the failed-authentication limiter. */
  auth: AuthServices;
}

export type HonoEnv = {
  Variables: {
    ctx: ApiContext;
    /** Who the management request acts for (set by `authenticate`, whichever the credential). */
    principal: Principal;
    /** The principal's organisation. */
    org: { id: number };
    /** Set by tenant-key auth on convergence calls. */
    tenant: Tenant;
    requestId: string;
    /** This request's deadline (api/deadline.ts): verbs with side effects check it, held requests lift it. */
    deadline: Deadline;
    /** This request's logger: its lines carry the request id (and, once authenticated, who asked). */
    log: RequestLogger;
  };
};
