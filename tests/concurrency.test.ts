/**
 * Many spawns at once: distinct ports, one container each, all ready, all cleaned up. And a
 * destroy racing a provision job leaves no port behind.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portLeases } from "../shared/db/schema.js";
import { getTenant } from "../shared/tenants/queries.js";
import { destroyTenant, requestDestroy } from "../shared/tenants/destroy.js";
import { provisionTenant } from "../shared/tenants/provision.js";
import { createWorkerContext } from "../worker/context.js";
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

describe("a destroy racing a provision job", () => {
  let racing: Stack;
  beforeAll(async () => {
    racing = await startStack("lease-race", {}, { workers: 0 });
  });
  afterAll(async () => {
    await racing?.stop();
  });

  it("a destroy that finishes while the provision job builds the image leaves no port leased and no container", async () => {
    const org = await racing.newOrg();
    const spawned = await spawnViaApi(racing, org.token, { name: "raced" });
    const envId = spawned.body.tenant.envId as number;
    // This test's own worker context, in which the whole destroy lands during the image step.
    const ctx = createWorkerContext(racing.config);
    try {
      const runtime = ctx.runtime;
      const raced = {
        ...ctx,
        runtime: Object.assign(Object.create(runtime), {
          ensureImage: async (...args: Parameters<typeof runtime.ensureImage>) => {
            await requestDestroy({ ctx, orgId: org.id, envId });
            await destroyTenant(ctx, envId);
            return runtime.ensureImage(...args);
          },
        }),
      };
      expect(await provisionTenant(raced, envId)).toBe("skipped");
      expect((await getTenant(ctx.db, envId))?.status).toBe("destroyed");
      expect(await ctx.db.select().from(portLeases).where(eq(portLeases.envId, envId))).toEqual([]);
      expect(await ownedContainers(racing, envId)).toEqual([]);
    } finally {
      await ctx.close();
    }
  });
});
