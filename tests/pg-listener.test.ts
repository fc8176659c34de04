/**
 * The platform's one reconnecting Postgres LISTEN (shared/db/listener.ts), on the real Postgres:
 * its listening backend is terminated, or Postgres is unreachable for a while (a TCP proxy in front
 * of it drops every connection and refuses new ones), and a NOTIFY sent once it is back still
 * arrives. The worker's webhook dispatcher, which uses it, keeps turning new events into jobs.
 */
import postgres from "postgres";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../shared/config.js";
import { PgListener } from "../shared/db/listener.js";
import { jobs } from "../shared/jobs.js";
import { createLogger } from "../shared/logger.js";
import { WEBHOOK_EVENTS_CHANNEL } from "../shared/webhooks/event-catalog.js";
import { createWorkerContext } from "../worker/context.js";
import { startWebhookDispatcher } from "../worker/webhooks.js";
import { testEnv, waitFor } from "./helpers/stack.js";
import { startTcpProxy } from "./helpers/tcp-proxy.js";

const env = testEnv();
const databaseUrl = env.DATABASE_URL!;
const logger = createLogger({ level: "silent", name: "pg-listener-test" });
const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
const OUTAGE_MS = 3_000;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
afterAll(async () => {
  await admin.end({ timeout: 5 });
});

/** The same database, reached through a TCP proxy the test can cut and refuse. */
async function proxiedDatabase() {
  const proxy = await startTcpProxy(databaseUrl);
  cleanups.push(() => proxy.close());
  const url = new URL(databaseUrl);
  url.port = new URL(proxy.url).port;
  return { proxy, url: url.toString() };
}

/**
 * Postgres is unreachable for a few seconds: every connection drops and new ones are refused
 * (longer than postgres.js's own `listen` keeps trying); then it answers again.
 */
async function outage(proxy: Awaited<ReturnType<typeof startTcpProxy>>, isDown: () => boolean = () => true) {
  await proxy.stop();
  try {
    await waitFor(async () => isDown(), { timeoutMs: 10_000, what: "the connection to drop" });
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS)); // the outage itself, not an assertion
  } finally {
    await proxy.start();
  }
}

function listenerOn(url: string, channel: string, applicationName: string) {
  const listener = new PgListener(url, [channel], logger, applicationName);
  const heard: string[] = [];
  let listens = 0;
  listener.onNotify(channel, (payload) => heard.push(payload));
  listener.onListen(() => listens++);
  cleanups.push(() => listener.close());
  return { listener, heard, listens: () => listens };
}

describe("the reconnecting Postgres LISTEN", () => {
  it("hears a NOTIFY sent after its listening backend was terminated, and says it listens again", async () => {
    const channel = `test_listener_${process.pid}`;
    const name = `cvg-test-listener-${process.pid}`;
    const { listener, heard, listens } = listenerOn(databaseUrl, channel, name);
    await listener.start();
    expect(listener.isListening).toBe(true);
    expect(listens()).toBe(1);

    await admin`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${name} and datname = current_database()`;
    await waitFor(async () => listens() === 2 && listener.isListening, { timeoutMs: 20_000, what: "the listener to listen again" });
    await admin`select pg_notify(${channel}, 'after the reconnect')`;
    await waitFor(async () => heard.includes("after the reconnect"), { timeoutMs: 10_000, what: "the notification" });
  });

  it("keeps retrying while Postgres stays unreachable and hears a NOTIFY once it is back", async () => {
    const channel = `test_outage_${process.pid}`;
    const { proxy, url } = await proxiedDatabase();
    const { listener, heard, listens } = listenerOn(url, channel, `cvg-test-outage-${process.pid}`);
    await listener.start();
    expect(listener.isListening).toBe(true);

    await outage(proxy, () => !listener.isListening);
    await waitFor(async () => listens() === 2 && listener.isListening, { timeoutMs: 20_000, what: "the listener to listen again" });
    await admin`select pg_notify(${channel}, 'after the outage')`;
    await waitFor(async () => heard.includes("after the outage"), { timeoutMs: 10_000, what: "the notification" });
  });

  it("the worker's webhook dispatcher still turns new events into delivery jobs after Postgres was unreachable for a while", async () => {
    const { proxy, url } = await proxiedDatabase();
    const config = parseConfig({ ...env, NODE_ENV: "test", LOG_LEVEL: "silent", DATABASE_URL: url, QUEUE_PREFIX: `cvgtest-pglisten-${process.pid}` });
    const ctx = createWorkerContext(config);
    const queue = ctx.queues.of(jobs.webhookDelivery);
    cleanups.push(async () => {
      await queue.obliterate({ force: true });
      await ctx.close();
    });
    const dispatcher: unknown = await startWebhookDispatcher(ctx);
    cleanups.push(() => (dispatcher as { close?: () => Promise<void> } | undefined)?.close?.());

    const before = `msg_pglisten_${process.pid}_before`;
    await admin`select pg_notify(${WEBHOOK_EVENTS_CHANNEL}, ${before})`;
    await waitFor(async () => queue.getJob(before), { timeoutMs: 10_000, what: "a delivery job for the first event" });

    await outage(proxy);
    // Once Postgres answers again, an event announced by NOTIFY becomes a job without waiting for a sweep.
    let n = 0;
    await waitFor(
      async () => {
        const eventId = `msg_pglisten_${process.pid}_after_${n++}`;
        await admin`select pg_notify(${WEBHOOK_EVENTS_CHANNEL}, ${eventId})`;
        return waitFor(async () => queue.getJob(eventId), { timeoutMs: 1_000, what: eventId }).catch(() => null);
      },
      { timeoutMs: 30_000, what: "a delivery job for an event announced after the outage" },
    );
  });
});
