/**
 * Tenants start without their CPU quota (shared/tenants/provision.ts). It is applied once the app
 * listens on its port, and an app that never does must not run unthrottled past the short grace
 * the worker gives it (TENANT_UNTHROTTLED_START_MAX_MS). Each path has a stack whose settings only
 * it can satisfy: the first waits far longer than the grace, so only listening can apply the quota.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getTenant } from "../shared/tenants/queries.js";
import { ownedContainers, spawnViaApi, startStack, waitFor, type Stack } from "./helpers/stack.js";

/** Spawns `framework`, waits for its container to have the quota while the tenant is still `starting`, then destroys it. */
async function quotaWhileStarting(stack: Stack, token: string, framework: string) {
  const res = await spawnViaApi(stack, token, { name: framework, framework });
  expect(res.status).toBe(202);
  const { envId } = res.body.tenant;
  const nanoCpus = async () => {
    const [c] = await ownedContainers(stack, envId);
    return c ? (await stack.docker.getContainer(c.Id).inspect()).HostConfig.NanoCpus : null;
  };
  await waitFor(async () => (await nanoCpus()) === Math.round(stack.config.TENANT_CPUS * 1e9), {
    timeoutMs: 15_000,
    intervalMs: 100,
    what: "the CPU quota on the starting container",
  });
  expect((await getTenant(stack.db, envId))?.status).toBe("starting");

  await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token });
  await waitFor(async () => (await ownedContainers(stack, envId)).length === 0, { timeoutMs: 30_000, what: "the container to be removed" });
}

describe("CPU quota of a starting tenant", () => {
  describe("an app that listens but never answers 200", () => {
    let stack: Stack;
    let org: { id: number; token: string };
    beforeAll(async () => {
      // A grace (10 min) and a wait for health (60 s) that end long after the test would fail.
      stack = await startStack("cpu-quota-listen", { TENANT_READY_TIMEOUT_MS: "60000", TENANT_UNTHROTTLED_START_MAX_MS: "600000" });
      org = await stack.newOrg();
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it("has the quota applied once it listens", async () => {
      await quotaWhileStarting(stack, org.token, "unhealthy");
    });
  });

  describe("an app that never listens", () => {
    let stack: Stack;
    let org: { id: number; token: string };
    beforeAll(async () => {
      // Long enough a wait for health that the grace (3 s, the default) ends well before it.
      stack = await startStack("cpu-quota-mute", { TENANT_READY_TIMEOUT_MS: "30000" });
      org = await stack.newOrg();
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it("has the quota applied after the grace, while the tenant is still starting", async () => {
      await quotaWhileStarting(stack, org.token, "mute");
    });
  });
});
