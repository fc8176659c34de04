/**
 * Host port allocation skips the ports fetch() refuses ("bad ports"): a tenant on one of them
 * could never be probed by a worker, nor reached by most clients. Straight against the test
 * database, in a range no stack of this run uses, so no container is needed.
 */
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../shared/db/client.js";
import { organisations, portLeases, tenants } from "../shared/db/schema.js";
import { AppError } from "../shared/errors.js";
import { createOrganisation } from "../shared/orgs.js";
import { fetchBadPorts, leasePort } from "../shared/tenants/ports.js";
import { testEnv } from "./helpers/stack.js";

const { db, sql } = createDb(testEnv().DATABASE_URL!, 2);
let orgId: number;
const envIds: number[] = [];

/** A bare tenant row for the lease to reference. */
async function tenantRow(): Promise<number> {
  const [row] = await db
    .insert(tenants)
    .values({
      orgId,
      name: "ports",
      language: "node",
      framework: "express",
      containerName: `ports-${Date.now()}-${envIds.length}`,
      apiKeyPrefix: "x",
      apiKeyHash: `ports-${process.pid}-${Date.now()}-${envIds.length}`,
      apiKeyEnc: "x",
    })
    .returning();
  envIds.push(row!.envId);
  return row!.envId;
}

const lease = (min: number, max: number, envId: number, avoid: number[] = []) => db.transaction((tx) => leasePort(tx, { TENANT_PORT_MIN: min, TENANT_PORT_MAX: max }, envId, avoid));

beforeAll(async () => {
  orgId = (await createOrganisation(db, "ports")).org.id;
});
afterAll(async () => {
  if (envIds.length) {
    await db.delete(portLeases).where(inArray(portLeases.envId, envIds));
    await db.delete(tenants).where(inArray(tenants.envId, envIds));
  }
  await db.delete(organisations).where(inArray(organisations.id, [orgId]));
  await sql.end();
});

describe("allocatePort", () => {
  it("never hands out a port fetch() refuses, and says no port is free when only those are left", async () => {
    // 6664 is fine, 6665-6669 are IRC ports fetch() refuses, 6670 is fine.
    expect(fetchBadPorts).toEqual(expect.arrayContaining([6665, 6666, 6667, 6668, 6669]));
    const first = await lease(6664, 6670, await tenantRow());
    const second = await lease(6664, 6670, await tenantRow());
    expect([first, second]).toEqual([6664, 6670]);

    const third = lease(6664, 6670, await tenantRow());
    await expect(third).rejects.toBeInstanceOf(AppError);
    await expect(third).rejects.toMatchObject({ code: "NO_PORTS_AVAILABLE" });
    // A range of nothing but bad ports is full from the start.
    await expect(lease(6665, 6669, await tenantRow())).rejects.toMatchObject({ code: "NO_PORTS_AVAILABLE" });
  });

  it("a port a fetch() would refuse really is refused by fetch(), so the list is the one that matters", async () => {
    for (const port of [3659, 6000, 6667, 10080]) {
      expect(fetchBadPorts).toContain(port);
      const err = await fetch(`http://127.0.0.1:${port}/`).then(
        () => null,
        (e: Error) => e,
      );
      expect(String((err?.cause as Error | undefined)?.message ?? err?.message)).toMatch(/bad port/);
    }
  });

  it("ports to avoid (taken outside the platform) count as unusable too", async () => {
    await expect(lease(6671, 6672, await tenantRow(), [6671, 6672])).rejects.toMatchObject({ code: "NO_PORTS_AVAILABLE" });
  });
});
