/**
 * The engine's events, not the periodic sweep, bring a tenant back: with the periodic sweep ten
 * minutes away, a container stopped behind the platform's back (which the engine's restart policy
 * leaves stopped) is seen at once (die event), restarted, and its tenant is `ready` again within
 * seconds (start event, then follow-up checks of the unhealthy tenants until its app answers).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getTenant } from "../shared/tenants/queries.js";
import { TEST_CONTAINER_PREFIX, spawnViaApi, startStack, waitForStatus, type Stack } from "./helpers/stack.js";

let stack: Stack;
let org: { id: number; token: string };

beforeAll(async () => {
  stack = await startStack("health-events", { HEALTH_INTERVAL_MS: String(10 * 60_000) });
  org = await stack.newOrg("health-events");
});
afterAll(async () => {
  await stack?.stop();
});

describe("health follows the engine's events", () => {
  it("a stopped container is restarted and its tenant is ready again within seconds, with no periodic sweep in between", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "events" });
    const { envId } = res.body.tenant;
    await waitForStatus(stack, org.token, envId, ["ready"]);
    // The start-up sweep has run; the next periodic one is ten minutes away.
    await stack.docker.getContainer(`${TEST_CONTAINER_PREFIX}${envId}`).stop({ t: 1 });

    const down = await waitForStatus(stack, org.token, envId, ["unhealthy"], 10_000);
    expect(down.error).toMatch(/container is exited/);
    const back = await waitForStatus(stack, org.token, envId, ["ready"], 15_000);
    expect(back.health.restartCount).toBe(1);
    // One restart, counted once.
    expect((await getTenant(stack.db, envId))?.crashRestarts).toBe(1);

    const del = await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
    expect(del.status).toBe(202);
    await waitForStatus(stack, org.token, envId, ["destroyed"]);
  });
});
