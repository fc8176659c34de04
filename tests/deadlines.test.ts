/** No tenant stays in a transient state forever: past its deadline it fails, saying which step. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownedContainers, spawnViaApi, startStack, waitForStatus, type Stack } from "./helpers/stack.js";

let stack: Stack;
let org: { id: number; token: string };

beforeAll(async () => {
  stack = await startStack("deadlines", {
    TENANT_READY_TIMEOUT_MS: "120000",
    DEADLINE_STARTING_MS: "4000",
    RECONCILE_INTERVAL_MS: "1000",
  });
  org = await stack.newOrg("deadlines");
});
afterAll(async () => {
  await stack?.stop();
});

describe("deadlines", () => {
  it("a tenant stuck past its starting deadline is failed with a message naming the step, and destroying it works", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "stuck", framework: "unhealthy" });
    const { envId } = res.body.tenant;
    await waitForStatus(stack, org.token, envId, ["starting"], 60_000);
    const failed = await waitForStatus(stack, org.token, envId, ["failed"], 60_000);
    expect(failed.error).toMatch(/timed out in step "starting"/);
    expect(await ownedContainers(stack, envId)).toHaveLength(0);

    const del = await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
    expect(del.status).toBe(202);
    await waitForStatus(stack, org.token, envId, ["destroyed"]);
  });

  it("a tenant can be destroyed while it is still starting", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "impatient", framework: "unhealthy" });
    const { envId } = res.body.tenant;
    await waitForStatus(stack, org.token, envId, ["starting"], 60_000);
    const del = await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
    expect(del.status).toBe(202);
    await waitForStatus(stack, org.token, envId, ["destroyed"], 30_000);
    expect(await ownedContainers(stack, envId)).toHaveLength(0);
  });
});
