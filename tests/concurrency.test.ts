/** Many spawns at once: distinct ports, one container each, all ready, all cleaned up. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownedContainers, spawnViaApi, startStack, waitForStatus, type Stack } from "./helpers/stack.js";

let stack: Stack;
let org: { id: number; token: string };

beforeAll(async () => {
  stack = await startStack("concurrency");
  org = await stack.newOrg();
});
afterAll(async () => {
  await stack?.stop();
});

describe("concurrent spawns", () => {
  it("10 spawns at once get 10 distinct ports and 10 ready containers, and all are destroyed cleanly", async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => spawnViaApi(stack, org.token, { name: `burst-${i}` })));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(202));
    const tenants = responses.map((r) => r.body.tenant);
    expect(new Set(tenants.map((t) => t.port)).size).toBe(10);

    const ready = await Promise.all(tenants.map((t) => waitForStatus(stack, org.token, t.envId, ["ready", "failed"], 120_000)));
    expect(ready.map((t) => t.status)).toEqual(Array(10).fill("ready"));
    for (const t of tenants) {
      expect(await ownedContainers(stack, t.envId)).toHaveLength(1);
      expect((await fetch(`http://127.0.0.1:${t.port}/health`)).status).toBe(200);
    }

    await Promise.all(tenants.map((t) => stack.api(`/api/v1/tenant/${t.envId}`, { method: "DELETE", token: org.token })));
    await Promise.all(tenants.map((t) => waitForStatus(stack, org.token, t.envId, ["destroyed"])));
    for (const t of tenants) expect(await ownedContainers(stack, t.envId)).toEqual([]);
  });
});
