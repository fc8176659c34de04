/**
 * The tenant state machine (the design brief, §3.2; docs/architecture.md), in one place. Every status change goes through
 * `transitionTenant` in shared/tenants/transition.ts, which enforces these edges with a
 * conditional UPDATE so that two workers can never both move the same tenant.
 */
export const tenantStatuses = ["pending", "provisioning", "starting", "ready", "unhealthy", "paused", "stopped", "waking", "failed", "destroying", "destroyed"] as const;

export type TenantStatus = (typeof tenantStatuses)[number];

const edges: Record<TenantStatus, readonly TenantStatus[]> = {
  pending: ["provisioning", "failed", "destroying"],
  provisioning: ["starting", "failed", "destroying"],
  starting: ["ready", "failed", "destroying"],
  ready: ["unhealthy", "failed", "destroying", "provisioning", "paused", "stopped"],
  unhealthy: ["ready", "failed", "destroying", "provisioning", "paused", "stopped"],
  // Sleeping (docs/idle.md): the desired state is written first, a sleep job makes the container
  // match it. A wake goes through `waking`, whose job unpauses or starts it and waits for health.
  // A key rotation re-creates the container from any of them (→ provisioning).
  paused: ["stopped", "waking", "failed", "destroying", "provisioning"],
  stopped: ["waking", "failed", "destroying", "provisioning"],
  waking: ["ready", "paused", "stopped", "failed", "destroying", "provisioning"],
  failed: ["destroying"],
  destroying: ["destroyed", "failed"],
  destroyed: [],
};

export function canTransition(from: TenantStatus, to: TenantStatus): boolean {
  return edges[from].includes(to);
}

/** The states from which `to` may be reached. */
export function sourcesOf(to: TenantStatus): TenantStatus[] {
  return tenantStatuses.filter((s) => edges[s].includes(to));
}

/** States a tenant can rest in for good. */
export const finalStatuses: readonly TenantStatus[] = ["failed", "destroyed"];
/** A tenant that is or is becoming a running app: it has a port and should have a container. */
export const liveStatuses: readonly TenantStatus[] = ["pending", "provisioning", "starting", "ready", "unhealthy", "paused", "stopped", "waking"];
/** Work in progress, each with a job that moves it on and a deadline (see the reconciler). */
export const transientStatuses: readonly TenantStatus[] = ["pending", "provisioning", "starting", "waking", "destroying"];
/** The states the provision job works through. */
export const provisionStatuses: readonly TenantStatus[] = ["pending", "provisioning", "starting"];
/** Provisioned: its container should be running, and health sweeps watch it. */
export const runningStatuses: readonly TenantStatus[] = ["ready", "unhealthy"];
/**
 * Asleep (docs/idle.md): kept with their port, route, key and data, their container paused or
 * stopped. Health sweeps, crash-loop back-off and the reconciler leave them asleep.
 */
export const sleepingStatuses: readonly TenantStatus[] = ["paused", "stopped"];
/** A key rotation re-creates the container from these (the tenant comes back ready). */
export const rotatableStatuses: readonly TenantStatus[] = ["ready", "unhealthy", "paused", "stopped", "waking"];
/** Being torn down or gone: its key no longer works. */
export const teardownStatuses: readonly TenantStatus[] = ["destroying", "destroyed"];
