/**
 * Health checked at once when the runtime reports a change (a Swarm node went down or came back, an
 * owned container died), besides the periodic sweep: a tenant the runtime already knows is gone
 * turns unhealthy now, not at the next HEALTH_INTERVAL_MS. Every worker watches; the sweep's own
 * lock lets one of them run it. Bursts of events (a node carrying many tenants) make one sweep.
 */
import type { WorkerContext } from "../shared/context.js";
import { jobs } from "../shared/jobs.js";
import { sweepHealth } from "../shared/tenants/health.js";
import { withLock } from "./workers.js";

const DEBOUNCE_MS = 500;

export function sweepOnRuntimeChanges(ctx: WorkerContext): () => void {
  let pending: NodeJS.Timeout | undefined;
  const reasons = new Set<string>();
  const stop = ctx.runtime.watch((reason) => {
    reasons.add(reason);
    pending ??= setTimeout(async () => {
      pending = undefined;
      const why = [...reasons].join("; ");
      reasons.clear();
      try {
        const result = await withLock(ctx, jobs.healthSweep.name, () => sweepHealth(ctx));
        ctx.logger.info({ why, result }, "health sweep on a runtime change");
      } catch (err) {
        ctx.logger.warn({ err, why }, "health sweep on a runtime change failed; the periodic one follows");
      }
    }, DEBOUNCE_MS);
  });
  return () => {
    clearTimeout(pending);
    stop();
  };
}
