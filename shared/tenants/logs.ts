/**
 * A tenant's container logs, in two halves like every verb that needs the container engine: the
 * API asks (requestTenantLogs, a request/reply job from the catalog) and a worker answers from
 * the runtime (readContainerLogs). The API never talks to Docker itself.
 */
import type { AppContext, WorkerContext } from "../context.js";
import { liftDeadline, type Deadline } from "../deadline.js";
import { AppError } from "../errors.js";
import { JobFailedError, JobTimeoutError, jobs } from "../jobs.js";
import { limitsOf } from "../limits/limits.js";
import { takeToken } from "../limits/rate.js";
import { scrubSecrets } from "../logger.js";
import { sinceOf } from "../logs/channel.js";
import { withTimeout } from "../timeout.js";
import { getTenant, getTenantForOrg } from "./queries.js";

export interface TenantLogs {
  lines: string[];
  container: string | null;
}

/**
 * API side: the organisation's tenant's last `tail` lines (with `since`, a line id as in
 * shared/logs/channel.ts: the last `tail` of those stamped then or later), or an error that says why not.
 */
export async function requestTenantLogs(args: {
  ctx: AppContext;
  orgId: number;
  envId: number;
  tail: number;
  since?: string;
  /** The request's, lifted once the call is admitted. */
  deadline?: Deadline;
}): Promise<TenantLogs> {
  const { ctx, orgId, envId, tail, since, deadline } = args;
  await getTenantForOrg(ctx.db, orgId, envId);
  const { limits } = await limitsOf(ctx.db, ctx.config, orgId);
  await takeToken(ctx, orgId, "logsPerMinute", limits.logsPerMinute);
  const timeoutMs = ctx.config.LOGS_TIMEOUT_MS;
  // Waiting for a worker is this call's own business, bounded by LOGS_TIMEOUT_MS (and Redis by a
  // second more), not by the request's overall deadline.
  liftDeadline(deadline);
  try {
    return await withTimeout(ctx.queues.request(jobs.logs, { envId, tail, ...(since ? { since } : {}) }, timeoutMs), timeoutMs + 1_000, "redis");
  } catch (err) {
    if (err instanceof JobFailedError) {
      throw new AppError("DEPENDENCY_UNAVAILABLE", `the worker could not read the logs: ${scrubSecrets(err.reason)}`, undefined, { "Retry-After": "5" });
    }
    if (err instanceof JobTimeoutError) {
      throw new AppError("DEPENDENCY_UNAVAILABLE", `no worker answered the logs request within ${timeoutMs} ms; is a worker running?`, undefined, { "Retry-After": "5" });
    }
    throw err;
  }
}

/** Worker side: read the lines from the runtime. */
export async function readContainerLogs(ctx: WorkerContext, envId: number, tail: number, since?: string): Promise<TenantLogs> {
  const tenant = await getTenant(ctx.db, envId);
  if (!tenant) return { lines: [], container: null };
  const info = await ctx.runtime.inspect(tenant.containerName);
  if (!info || tail === 0) return { lines: [], container: info ? tenant.containerName : null };
  // The tenant's key is in its environment; an app that prints it must not leak it here.
  const lines = (await ctx.runtime.logs(tenant.containerName, tail, since ? sinceOf(since) : undefined)).map(scrubSecrets);
  return { lines, container: tenant.containerName };
}
