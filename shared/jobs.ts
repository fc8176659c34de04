/**
 * The job catalog: every queue and job the workers run, with its payload schema, attempts and
 * back-off. Payloads carry ids, never secrets. Job ids are deterministic per tenant and action,
 * so enqueueing the same work twice while it is pending is a no-op.
 */
import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Config } from "./config.js";

export const queueNames = {
  lifecycle: "tenant-lifecycle",
  logs: "tenant-logs",
  webhooks: "webhook-delivery",
  /** Periodic work: health sweeps and the reconciler (worker/maintenance.ts). */
  maintenance: "maintenance",
} as const;

export const provisionPayload = z.object({ envId: z.number().int().positive(), reason: z.string().optional() });
export const destroyPayload = z.object({ envId: z.number().int().positive() });
export const logsPayload = z.object({ envId: z.number().int().positive(), tail: z.number().int().min(1).max(5000) });

export type ProvisionPayload = z.infer<typeof provisionPayload>;
export type DestroyPayload = z.infer<typeof destroyPayload>;
export type LogsPayload = z.infer<typeof logsPayload>;

export const jobIds = {
  provision: (envId: number) => `provision-${envId}`,
  destroy: (envId: number) => `destroy-${envId}`,
};

export function lifecycleJobOptions(config: Config): JobsOptions {
  return {
    attempts: config.PROVISION_ATTEMPTS,
    backoff: { type: "exponential", delay: config.PROVISION_BACKOFF_MS },
    // Completed jobs are removed so the same deterministic id can be enqueued again later
    // (a re-provision); failed ones stay a while for inspection.
    removeOnComplete: true,
    removeOnFail: { age: 24 * 3600, count: 1000 },
  };
}

/** One delivery job per webhook event; its id is the event id, so a second enqueue is a no-op. */
export const webhookDeliveryPayload = z.object({ eventId: z.string().regex(/^msg_[A-Za-z0-9_-]+$/) });
export type WebhookDeliveryPayload = z.infer<typeof webhookDeliveryPayload>;

export function webhookJobOptions(config: Config): JobsOptions {
  return {
    attempts: config.WEBHOOK_ATTEMPTS,
    // 30 s, 1 min, 2 min, … doubling: ten attempts span about four hours by default.
    backoff: { type: "exponential", delay: config.WEBHOOK_BACKOFF_MS, jitter: 0.2 },
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

export type Queues = ReturnType<typeof createQueues>;

/**
 * Enqueues a job unless one with the same id is still waiting or running. A finished job that
 * lingers under the id (kept for inspection) is removed first, so the work runs again.
 * Returns whether a job was added.
 */
async function enqueueAgain(queue: Queue, name: string, data: unknown, opts: JobsOptions & { jobId: string }): Promise<boolean> {
  const existing = await queue.getJob(opts.jobId);
  if (existing) {
    const state = await existing.getState();
    if (state !== "completed" && state !== "failed" && state !== "unknown") return false;
    await existing.remove();
  }
  await queue.add(name, data, opts);
  return true;
}

export function createQueues(connection: Redis, config: Config) {
  const opts = { connection, prefix: config.QUEUE_PREFIX };
  const lifecycle = new Queue(queueNames.lifecycle, opts);
  const logs = new Queue(queueNames.logs, opts);
  const webhooks = new Queue(queueNames.webhooks, opts);
  const jobOpts = lifecycleJobOptions(config);
  return {
    lifecycle,
    logs,
    webhooks,
    enqueueProvision: (p: ProvisionPayload) =>
      lifecycle.add("provision", provisionPayload.parse(p), { ...jobOpts, jobId: jobIds.provision(p.envId) }),
    enqueueDestroy: (p: DestroyPayload) =>
      lifecycle.add("destroy", destroyPayload.parse(p), {
        ...jobOpts,
        attempts: Math.max(5, config.PROVISION_ATTEMPTS),
        jobId: jobIds.destroy(p.envId),
      }),
    /** For work that may have run before under the same id (re-provision, reconciler). */
    provisionAgain: (p: ProvisionPayload) =>
      enqueueAgain(lifecycle, "provision", provisionPayload.parse(p), { ...jobOpts, jobId: jobIds.provision(p.envId) }),
    destroyAgain: (p: DestroyPayload) =>
      enqueueAgain(lifecycle, "destroy", destroyPayload.parse(p), {
        ...jobOpts,
        attempts: Math.max(5, config.PROVISION_ATTEMPTS),
        jobId: jobIds.destroy(p.envId),
      }),
    enqueueWebhook: (p: WebhookDeliveryPayload) =>
      webhooks.add("deliver", webhookDeliveryPayload.parse(p), { ...webhookJobOptions(config), jobId: p.eventId }),
    close: async () => {
      await Promise.all([lifecycle.close(), logs.close(), webhooks.close()]);
    },
  };
}
