/** Reading tenants, always scoped to the organisation that asks. */
import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { prepared, type Db } from "../db/client.js";
import { tenantEvents, tenants, type Tenant } from "../db/schema.js";
import { notFound } from "../errors.js";
import type { TenantStatus } from "../tenant-state.js";

// The status endpoint's query, the API's hottest: prepared once, so Drizzle does not build its SQL per call.
const tenantForOrg = prepared((db) =>
  db
    .select()
    .from(tenants)
    .where(and(eq(tenants.envId, sql.placeholder("envId")), eq(tenants.orgId, sql.placeholder("orgId"))))
    .prepare("tenant_for_org"),
);

/** Another organisation's tenant is indistinguishable from a missing one (404, not 403). */
export async function getTenantForOrg(db: Db, orgId: number, envId: number): Promise<Tenant> {
  const [row] = await tenantForOrg(db).execute({ envId, orgId });
  if (!row) throw notFound(`tenant ${envId}`);
  return row;
}

export async function getTenant(db: Db, envId: number): Promise<Tenant | undefined> {
  const [row] = await db.select().from(tenants).where(eq(tenants.envId, envId));
  return row;
}

/** Newest first; `cursor` is the last envId of the previous page; `envIds` limits the list to those tenants. */
export async function listTenants(
  db: Db,
  q: { orgId: number; statuses?: TenantStatus[]; limit: number; cursor?: number; envIds?: number[] },
): Promise<{ items: Tenant[]; nextCursor: number | null }> {
  const rows = await db
    .select()
    .from(tenants)
    .where(
      and(
        eq(tenants.orgId, q.orgId),
        q.statuses?.length ? inArray(tenants.status, q.statuses) : undefined,
        q.envIds ? inArray(tenants.envId, q.envIds) : undefined,
        q.cursor ? lt(tenants.envId, q.cursor) : undefined,
      ),
    )
    .orderBy(desc(tenants.envId))
    .limit(q.limit + 1);
  const items = rows.slice(0, q.limit);
  return { items, nextCursor: rows.length > q.limit ? (items.at(-1)?.envId ?? null) : null };
}

export async function tenantHistory(db: Db, envId: number) {
  return db.select().from(tenantEvents).where(eq(tenantEvents.envId, envId)).orderBy(tenantEvents.id);
}
