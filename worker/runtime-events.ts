/**
 * Health checked at once when the runtime reports a change, besides the periodic sweep:
 * - something went away (an owned container died, a Swarm node changed state, the engine's event
 *   stream came back after an engine restart): every tenant is swept, so one the runtime already
 *   knows is gone turns unhealthy now, not at the next HEALTH_INTERVAL_MS;
 * - something came up (an owned container started, whoever started it; the engine is back): the
 *   unhealthy tenants are swept, and again every FOLLOW_UP_MS while some still fail (their apps need
 *   a moment to listen), so a tenant that came back is `ready` within seconds. Only the unhealthy
 *   are probed then: the follow-ups never count extra failures against tenants that are fine.
 * Every worker watches; the sweep's own lock lets one of them run it. Bursts of events (a node
 * carrying many tenants) make one sweep.
 */
import type { WorkerContext } from "../shared/context.js";
import { jobs } from "../shared/jobs.js";
import { sweepHealth } from "../shared/tenants/health.js";
import { withLock } from "./workers.js";

const DEBOUNCE_MS = 500;
const FOLLOW_UP_MS = 1_000;
/** At most this many follow-ups after something came up; the periodic sweep carries on after that. */
const FOLLOW_UPS = 8;

export function sweepOnRuntimeChanges(ctx: WorkerContext): () => void {
  let pending: NodeJS.Timeout | undefined;
  const reasons = new Set<string>();
  let full = false;
  let followUps = 0;

  const schedule = (delayMs: number) => {
    pending ??= setTimeout(() => void run(), delayMs);
  };
  const run = async () => {
    pending = undefined;
    const why = [...reasons].join("; ") || "following up on tenants that came up";
    const onlyUnhealthy = !full;
    reasons.clear();
    full = false;
    let stillFailing = true;
    try {
      const result = await withLock(ctx, jobs.healthSweep.name, () => sweepHealth(ctx, { onlyUnhealthy }));
      if (result !== "skipped: already running") stillFailing = result.failing > 0;
      // A check of the unhealthy that changed nothing (none, or all still failing) is not news.
      const news = result === "skipped: already running" || result.healthy + result.restarted + result.recreated > 0;
      if (!onlyUnhealthy || news) ctx.logger.info({ why, onlyUnhealthy, result }, "health sweep on a runtime change");
    } catch (err) {
      ctx.logger.warn({ err, why }, "health sweep on a runtime change failed; the periodic one follows");
    }
    if (stillFailing && followUps > 0) {
      followUps--;
      schedule(FOLLOW_UP_MS);
    } else if (!stillFailing) followUps = 0;
  };

  const stop = ctx.runtime.watch((reason, change) => {
    reasons.add(reason);
    if (change !== "up") full = true;
    if (change !== "down") followUps = FOLLOW_UPS;
    schedule(DEBOUNCE_MS);
  });
  return () => {
    clearTimeout(pending);
    stop();
  };
}
