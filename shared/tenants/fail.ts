/**
 * Failing a tenant: the container is removed and the port released first, so whoever sees
 * `failed` sees nothing left running, and `error` says what went wrong (with the container's
 * last log lines, since the container itself is gone).
 */
import type { WorkerContext } from "../context.js";
import type { Tenant } from "../db/schema.js";
import { scrubSecrets } from "../logger.js";
import type { TenantStatus } from "../tenant-state.js";
import { releasePort } from "./ports.js";
import { transitionTenant } from "./transition.js";

export async function failTenantAndCleanUp(
  ctx: WorkerContext,
  tenant: Tenant,
  from: TenantStatus[],
  message: string,
  opts: { withLogs?: boolean } = {},
): Promise<boolean> {
  let error = message;
  if (opts.withLogs) {
    const lines = await ctx.runtime.logs(tenant.containerName, 5).catch(() => []);
    if (lines.length) error += `\nlast log lines:\n${lines.join("\n")}`;
  }
  error = scrubSecrets(error);
  await ctx.runtime.remove(tenant.containerName);
  await ctx.db.transaction((tx) => releasePort(tx, tenant.envId));
  const failed = await transitionTenant(ctx.db, {
    envId: tenant.envId,
    from,
    to: "failed",
    reason: message,
    actor: ctx.actor,
    patch: { lastError: error, nextRestartAt: null },
  });
  if (failed) ctx.logger.warn({ tenantId: tenant.envId }, message);
  return failed !== null;
}
