/** Processor for the tenant-lifecycle queue: parses the payload, calls one domain verb. */
import { UnrecoverableError, type Job } from "bullmq";
import type { WorkerContext } from "../shared/context.js";
import { destroyPayload, provisionPayload } from "../shared/jobs.js";
import { destroyTenant } from "../shared/tenants/destroy.js";
import { failTenant, provisionTenant } from "../shared/tenants/provision.js";

export function lifecycleProcessor(base: WorkerContext) {
  return async (job: Job) => {
    switch (job.name) {
      case "provision": {
        const { envId } = provisionPayload.parse(job.data);
        const ctx = { ...base, logger: base.logger.child({ jobId: job.id, tenantId: envId }) };
        try {
          return await provisionTenant(ctx, envId);
        } catch (err) {
          const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          ctx.logger.warn({ err, attempt: job.attemptsMade + 1, lastAttempt }, "provision attempt failed");
          if (lastAttempt || err instanceof UnrecoverableError) await failTenant(ctx, envId, err);
          throw err; // BullMQ retries with back-off unless this was the last attempt
        }
      }
      case "destroy": {
        const { envId } = destroyPayload.parse(job.data);
        const ctx = { ...base, logger: base.logger.child({ jobId: job.id, tenantId: envId }) };
        await destroyTenant(ctx, envId);
        return "destroyed";
      }
      default:
        throw new UnrecoverableError(`unknown job ${job.name} on the lifecycle queue`);
    }
  };
}
