/**
 * Tenants start without their CPU quota (shared/tenants/provision.ts): an app that never answers
 * its health check must not run unthrottled past the short grace the worker gives it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getTenant } from "../shared/tenants/queries.js";
import { ownedContainers, spawnViaApi, startStack, waitFor, type Stack } from "./helpers/stack.js";

let stack: Stack;
let org: { id: number; token: string };

beforeAll(async () => {
  // Long enough a wait for health that the grace (3 s) ends well before it.
  stack = await startStack("cpu-quota", { TENANT_READY_TIMEOUT_MS: "30000" });
  org = await stack.newOrg();
});
afterAll(async () => {
  await stack?.stop();
});

describe("CPU quota of a starting tenant", () => {
  it("is applied to a container whose app never answers while the tenant is still starting", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "slow", framework: "unhealthy" });
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

    await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
    await waitFor(async () => (await ownedContainers(stack, envId)).length === 0, { timeoutMs: 30_000, what: "the container to be removed" });
  });
});
