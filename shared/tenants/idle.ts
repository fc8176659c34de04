/**
 * The idle watch (docs/idle.md), run by every full health sweep: for each tenant with an idle
 * policy, one look at its traffic, then decideIdle says whether to put it to sleep.
 *
 * A look sees three things, all read where the tenant runs, never by asking the app:
 * - requests in flight to it at the ingress (Caddy's /reverse_proxy/upstreams): a long request or
 *   an open stream through the hostname;
 * - TCP connections open to its app port in its network namespace (the host port's, the
 *   ingress's, a WebSocket's), read from /proc by the runtime;
 * - connections its namespace accepted since the last look (a counter), less the sweep's own
 *   health probe: the counter is read just before the probe, and the baseline just after it, so
 *   every short request in between is seen even when nothing is open at the moment of the look.
 * Workers may run anywhere: the baseline and the time of the last traffic are kept on the tenant row.
 */
import { and, eq, isNotNull } from "drizzle-orm";
import type { WorkerContext } from "../context.js";
import { tenants, type Tenant } from "../db/schema.js";
import { AppError } from "../errors.js";
import type { ContainerInfo } from "../runtime/types.js";
import { decideIdle, hasIdlePolicy } from "./idle-decision.js";
import { idlePolicyOf } from "./idle-policy.js";
import { requestSleep } from "./sleep.js";

/** A look at a tenant's connections: just before its health probe, and the counter just after it. */
export interface ConnectionSample {
  before: { accepted: number; open: number };
  acceptedAfter: number;
}

export function watchesIdle(t: Tenant): boolean {
  return t.status === "ready" && hasIdlePolicy(idlePolicyOf(t));
}

/** Runs the sweep's probe between two looks at the tenant's connections (when the runtime can look). */
export async function sampleAround<P>(ctx: WorkerContext, t: Tenant, container: ContainerInfo | undefined, probe: () => Promise<P>): Promise<{ probe: P; sample: ConnectionSample | null }> {
  if (!watchesIdle(t) || !container || container.state !== "running" || !ctx.runtime.connections) return { probe: await probe(), sample: null };
  const port = ctx.templates.get(t.language, t.framework)?.containerPort ?? 3000;
  const before = await ctx.runtime.connections(container.name, port).catch(() => null);
  const result = await probe();
  const after = before ? await ctx.runtime.connections(container.name, port).catch(() => null) : null;
  return { probe: result, sample: before && after ? { before, acceptedAfter: after.accepted } : null };
}

export interface IdleResult {
  watched: number;
  paused: number;
  stopped: number;
}

export async function watchIdle(ctx: WorkerContext, live: Tenant[], containers: Map<string, ContainerInfo>, samples: Map<number, ConnectionSample>, now: Date): Promise<IdleResult> {
  const result: IdleResult = { watched: 0, paused: 0, stopped: 0 };
  const ready = live.filter(watchesIdle);
  const upstreamOf = (t: Tenant) => {
    const c = containers.get(String(t.envId));
    return c?.ingressAddress ?? c?.address ?? t.address ?? "";
  };
  const inFlight = ready.length
    ? await ctx.ingress.inFlight(ready.map(upstreamOf)).catch((err: unknown) => {
        // Without the ingress's view nothing is put to sleep: a request there might be in flight.
        ctx.logger.warn({ err }, "idle watch: could not read the ingress's requests in flight; nothing sleeps this round");
        return null;
      })
    : new Map<string, number>();
  if (!inFlight) return result;
  const canPause = ctx.runtime.canPause;

  for (const t of ready) {
    result.watched++;
    const sample = samples.get(t.envId);
    const accepted = sample && t.idleConnCounter !== null && sample.before.accepted >= t.idleConnCounter ? sample.before.accepted - t.idleConnCounter : null;
    const action = decideIdle(
      {
        status: "ready",
        policy: idlePolicyOf(t),
        lastActiveAt: t.lastActiveAt,
        since: t.readyAt && t.readyAt > t.statusChangedAt ? t.readyAt : t.statusChangedAt,
        inFlight: inFlight.get(upstreamOf(t)) ?? 0,
        open: sample?.before.open ?? 0,
        accepted,
        canPause,
      },
      now,
    );
    await ctx.db
      .update(tenants)
      .set({ idleConnCounter: sample?.acceptedAfter ?? null, ...(action.kind === "active" ? { lastActiveAt: now } : {}) })
      .where(and(eq(tenants.envId, t.envId), eq(tenants.status, "ready")));
    if (action.kind === "pause" || action.kind === "stop") {
      const mode = action.kind === "pause" ? "paused" : "stopped";
      if (await sleepQuietly(ctx, t, mode, `idle: no traffic for ${action.idleSeconds}s`, ["ready"])) result[mode]++;
    }
  }

  // A paused tenant's clock goes on (nothing reaches it: its route leads to the waker, which wakes it).
  const paused = await ctx.db
    .select()
    .from(tenants)
    .where(and(eq(tenants.status, "paused"), isNotNull(tenants.idleStopAfterS)));
  for (const t of paused) {
    const action = decideIdle(
      { status: "paused", policy: idlePolicyOf(t), lastActiveAt: t.lastActiveAt, since: t.readyAt ?? t.statusChangedAt, inFlight: 0, open: 0, accepted: 0, canPause },
      now,
    );
    if (action.kind === "stop" && (await sleepQuietly(ctx, t, "stopped", `idle: no traffic for ${action.idleSeconds}s`, ["paused"]))) result.stopped++;
  }
  return result;
}

async function sleepQuietly(ctx: WorkerContext, t: Tenant, mode: "paused" | "stopped", reason: string, from: Tenant["status"][]): Promise<boolean> {
  try {
    await requestSleep({ ctx, envId: t.envId, mode, reason, from });
    ctx.logger.info({ envId: t.envId, mode }, reason);
    return true;
  } catch (err) {
    // Moved meanwhile (a wake, a destroy): the next look decides again.
    if (err instanceof AppError) return false;
    throw err;
  }
}
