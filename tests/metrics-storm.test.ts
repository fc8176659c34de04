/**
 * Cheap metrics: the cluster gauges are computed at most once per METRICS_MIN_REFRESH_MS, one
 * refresh at a time (concurrent scrapes share it), on a pool of their own. A scrape storm costs
 * one refresh and at most that pool's two connections, and requests keep being answered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METRICS_POOL_NAME } from "../api/metrics.js";
import { parsePrometheusText, sampleValue } from "./helpers/prometheus.js";
import { spawnViaApi, startStack, type Stack } from "./helpers/stack.js";

let stack: Stack;
let org: { id: number; token: string };
/** Where the API serves Prometheus text (an ops listener may serve it instead: change it here). */
const metricsUrl = () => `${stack.opsUrl}/metrics`;
const refreshes = async () => sampleValue(parsePrometheusText(await (await fetch(metricsUrl())).text()), "convergence_metrics_refreshes_total") ?? 0;

beforeAll(async () => {
  // One interval covers the whole storm.
  stack = await startStack("metrics-storm", { METRICS_MIN_REFRESH_MS: "120000" }, { workers: 0 });
  org = await stack.newOrg("storm");
});
afterAll(async () => {
  await stack?.stop();
});

describe("a scrape storm", () => {
  it("costs one refresh on the metrics pool's own connections, and every request made meanwhile is answered 200 before its deadline", async () => {
    const spawned = await spawnViaApi(stack, org.token, { name: "watched" });
    const envId = spawned.body.tenant.envId as number;
    const first = await refreshes();
    expect(first).toBe(1);

    let storming = true;
    let peakMetricsConnections = 0;
    const watchPool = (async () => {
      while (storming) {
        const [row] = await stack.sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where application_name = ${METRICS_POOL_NAME}`;
        peakMetricsConnections = Math.max(peakMetricsConnections, row!.n);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const scrapes = Promise.all(Array.from({ length: 300 }, () => fetch(metricsUrl(), { signal: AbortSignal.timeout(30_000) }).then(async (r) => ({ status: r.status, text: await r.text() }))));
    const requests = Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        stack.api(i % 2 ? `/api/v1/tenant/${envId}/status` : "/api/v1/tenant", { token: org.token, timeoutMs: stack.config.REQUEST_TIMEOUT_MS }).then((r) => r.status),
      ),
    );
    const [scraped, answered] = await Promise.all([scrapes, requests]);
    storming = false;
    await watchPool;

    expect(answered).toEqual(Array(60).fill(200));
    expect(scraped.every((s) => s.status === 200 && s.text.includes("convergence_tenants{"))).toBe(true);
    // Every scrape in the storm was served from the one refresh before it.
    expect(await refreshes()).toBe(first);
    expect(peakMetricsConnections).toBeLessThanOrEqual(2);
  });
});
