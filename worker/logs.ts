/**
 * Processor for the tenant-logs queue: the API never talks to Docker, so a logs request is a
 * short job that whichever worker takes it answers from the runtime.
 */
import type { Job } from "bullmq";
import type { WorkerContext } from "../shared/context.js";
import { logsPayload } from "../shared/jobs.js";
import { scrubSecrets } from "../shared/logger.js";
import { getTenant } from "../shared/tenants/queries.js";

export function logsProcessor(ctx: WorkerContext) {
  return async (job: Job): Promise<{ lines: string[]; container: string | null }> => {
    const { envId, tail } = logsPayload.parse(job.data);
    const tenant = await getTenant(ctx.db, envId);
    if (!tenant) return { lines: [], container: null };
    const info = await ctx.runtime.inspect(tenant.containerName);
    if (!info) return { lines: [], container: null };
    // The tenant's key is in its environment; an app that prints it must not leak it here.
    const lines = (await ctx.runtime.logs(tenant.containerName, tail)).map(scrubSecrets);
    return { lines, container: tenant.containerName };
  };
}
