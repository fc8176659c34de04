/**
 * The processor of every job in the catalog (shared/jobs.ts), by job: each parses nothing itself
 * (worker/workers.ts hands it the parsed payload and a logger naming the job and tenant) and
 * calls one domain verb. The type makes a catalog entry without a processor a compile error.
 */
import { UnrecoverableError, type Job } from "bullmq";
import type { z } from "zod";
import type { WorkerContext } from "../shared/context.js";
import type { jobs, JobKey } from "../shared/jobs.js";
import { runDeployment } from "../shared/deploys/run.js";
import { destroyTenant } from "../shared/tenants/destroy.js";
import { failTenant } from "../shared/tenants/fail.js";
import { sweepHealth } from "../shared/tenants/health.js";
import { followContainerLogs } from "../shared/logs/follower.js";
import { readContainerLogs } from "../shared/tenants/logs.js";
import { provisionTenant } from "../shared/tenants/provision.js";
import { reconcile } from "../shared/tenants/reconcile.js";
import { keepNetworksWarm } from "../shared/tenants/warm-networks.js";
import { deliverWebhookEvent } from "../shared/webhooks/deliver.js";
import { enqueuePendingWebhookEvents } from "../shared/webhooks/sweep.js";

/** `signal` aborts when the worker shuts down (for jobs that run until stopped). */
export type Processor<K extends JobKey> = (ctx: WorkerContext, payload: z.infer<(typeof jobs)[K]["payload"]>, job: Job, signal: AbortSignal) => Promise<unknown>;

export const processors: { [K in JobKey]: Processor<K> } = {
  provision: async (ctx, { envId }, job) => {
    try {
      return await provisionTenant(ctx, envId);
    } catch (err) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      ctx.logger.warn({ err, attempt: job.attemptsMade + 1, lastAttempt }, "provision attempt failed");
      if (lastAttempt || err instanceof UnrecoverableError) {
        // A failing clean-up must not replace the error that says why provisioning failed; the
        // tenant is then failed by the reconciler once its state's deadline passes.
        await failTenant(ctx, envId, err).catch((cleanupErr: unknown) =>
          ctx.logger.error({ err: cleanupErr }, "could not fail the tenant after its last provision attempt; the reconciler will"),
        );
      }
      throw err; // BullMQ retries with back-off unless this was the last attempt
    }
  },
  destroy: async (ctx, { envId }) => {
    const result = await destroyTenant(ctx, envId);
    // Its port is free again, and the lowest free port is the next spawn's: keep it warm.
    void keepNetworksWarm(ctx).catch((err: unknown) => ctx.logger.warn({ err }, "could not keep networks warm"));
    return result;
  },
  deploy: (ctx, { envId, revision }) => runDeployment(ctx, envId, revision),
  logs: (ctx, { envId, tail, since }) => readContainerLogs(ctx, envId, tail, since),
  logsFollow: async (ctx, { envId }, _job, signal) => {
    const outcome = await followContainerLogs(ctx, envId, signal);
    ctx.logger.info({ outcome }, "log follower stopped");
    return outcome;
  },
  webhookDelivery: (ctx, { eventId }, job) => deliverWebhookEvent(ctx, eventId, { attemptsMade: job.attemptsMade, maxAttempts: job.opts.attempts ?? 1 }),
  webhookSweep: (ctx) => enqueuePendingWebhookEvents(ctx),
  reconcile: (ctx) => reconcile(ctx),
  healthSweep: (ctx) => sweepHealth(ctx),
};
