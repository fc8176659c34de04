/**
 * Failing a tenant: its ingress route is withdrawn, the container removed and the port released
 * first, so whoever sees `failed` sees nothing left running, and `error` says what went wrong (with the container's
 * last log lines, since the container itself is gone). Every path to `failed` comes through here.
 */
import type { WorkerContext } from "../context.js";
import type { Tenant } from "../db/schema.js";
import { scrubSecrets } from "../logger.js";
import { provisionStatuses, type TenantStatus } from "../tenant-state.js";
import { releasePort } from "./ports.js";
import { ProvisionError } from "./provision.js";
import { getTenant } from "./queries.js";
import { transitionTenant } from "./transition.js";

/**
 * After a provision job's last attempt: fails the tenant, its `error` saying which step failed
 * and why. A tenant someone else moved meanwhile (destroyed, say) is left alone.
 */
export async function failTenant(ctx: WorkerContext, envId: number, err: unknown): Promise<void> {
  const step = err instanceof ProvisionError ? err.step : undefined;
  const message = `${step ? `provisioning failed at step "${step}": ` : "provisioning failed: "}${(err as Error)?.message ?? String(err)}`;
  const tenant = await getTenant(ctx.db, envId);
  if (!tenant || !provisionStatuses.includes(tenant.status)) return;
  await failTenantAndCleanUp(ctx, tenant, provisionStatuses, message, { withLogs: step === "health" });
}

export async function failTenantAndCleanUp(ctx: WorkerContext, tenant: Tenant, from: readonly TenantStatus[], message: string, opts: { withLogs?: boolean } = {}): Promise<boolean> {
  let error = message;
  if (opts.withLogs) {
    const lines = await ctx.runtime.logs(tenant.containerName, 5).catch(() => []);
    if (lines.length) error += `\nlast log lines:\n${lines.join("\n")}`;
  }
  error = scrubSecrets(error);
  // The hostname answers 404 from here on. A proxy that cannot be reached throws before anything
  // changed: the caller retries, and the port (the address the route dials) is not released.
  await ctx.ingress.removeRoute(tenant.envId);
  await ctx.runtime.remove(tenant.containerName);
  await ctx.db.transaction((tx) => releasePort(tx, tenant.envId));
  const failed = await transitionTenant(ctx, {
    envId: tenant.envId,
    from,
    to: "failed",
    reason: message,
    actor: ctx.actor,
    patch: { lastError: error, nextRestartAt: null },
  });
  if (failed) ctx.logger.warn({ envId: tenant.envId }, message);
  // Once more: a reconciler's sync that read the tenant as routable before this transition may
  // have written the route back meanwhile.
  await ctx.ingress.removeRoute(tenant.envId).catch((err: unknown) => ctx.logger.warn({ err, envId: tenant.envId }, "could not withdraw the route again; the reconciler will"));
  return failed !== null;
}
