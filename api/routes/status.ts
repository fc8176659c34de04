/**
 * GET /api/v1/tenant/:id/status — the tenant's state, port, health, timestamps and last error.
 * With `?wait=ready&timeout=30` the answer is held until the tenant is in that state (or a final
 * one, or the timeout passes): long polling woken by Postgres NOTIFY, not by re-querying.
 */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import type { TypedResponse } from "hono";
import type { JSONParsed } from "hono/utils/types";
import type { Config } from "../../shared/config.js";
import type { Tenant } from "../../shared/db/schema.js";
import { liftDeadline } from "../../shared/deadline.js";
import { limitsOf } from "../../shared/limits/limits.js";
import { holdSlot } from "../../shared/limits/slots.js";
import { tenantStatuses } from "../../shared/tenant-state.js";
import { waitForTenantStatus } from "../../shared/tenants/status-watch.js";
import { tenantView, type TenantView } from "../../shared/tenants/view.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { TenantIdParam, TenantSchema, errorResponses } from "../schemas.js";

export const statusRoute = createRoute({
  method: "get",
  path: "/api/v1/tenant/{id}/status",
  operationId: "getTenantStatus",
  tags: ["Tenants"],
  summary: "A tenant's status",
  description:
    "The tenant's state, port, address, health counters, timestamps and last error. With `wait` (and `timeout`), the answer is held until the tenant reaches that state or a final one, or the timeout passes: long polling instead of polling in a loop.",
  ...access({ scope: "tenants:read" }),
  request: {
    params: TenantIdParam,
    query: z.object({
      wait: z
        .enum(tenantStatuses, { error: `wait must be one of ${tenantStatuses.join(", ")}` })
        .optional()
        .openapi({ description: "answer once the tenant is in this status, or a final one (failed, destroyed)", example: "ready" }),
      timeout: z.coerce
        .number({ error: "timeout must be a number of seconds, 1-60" })
        .int("timeout must be a whole number of seconds, 1-60")
        .min(1, "timeout must be a number of seconds, 1-60")
        .max(60, "timeout must be a number of seconds, 1-60")
        .default(30)
        .openapi({ description: "with wait: the longest the answer is held, in seconds; then the current status is returned" }),
    }),
  },
  responses: {
    200: {
      description: "the tenant (with wait: as soon as it reaches that status, a final one, or the timeout)",
      content: { "application/json": { schema: z.object({ success: z.literal(true), tenant: TenantSchema }) } },
    },
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

type StatusAnswer = { success: true; tenant: TenantView };

/**
 * The answer for a row from the row cache, serialised once per row: a cached row is the same
 * object on every poll until it is evicted (and its answer with it), and building the view (dates
 * as ISO strings, the URL) and serialising it cost more than the rest of a cached read.
 */
const answers = new WeakMap<Tenant, string>();
const answerOf = (row: Tenant, config: Config): string => {
  let json = answers.get(row);
  if (json === undefined) {
    const answer: StatusAnswer = { success: true, tenant: tenantView(row, config) };
    answers.set(row, (json = JSON.stringify(answer)));
  }
  return json;
};

export const statusHandler: RouteHandler<typeof statusRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const { wait, timeout } = c.req.valid("query");
  const ctx = c.get("ctx");
  const orgId = c.get("org").id;
  if (!wait) {
    // What c.json(answer, 200) answers, typed as it would be, from the text made once per cached row.
    const json = answerOf(await ctx.tenantRows.get(orgId, id), ctx.config);
    return c.body(json, 200, { "Content-Type": "application/json" }) as unknown as Response & TypedResponse<JSONParsed<StatusAnswer>, 200, "json">;
  }
  // A held request takes one of the organisation's held-wait slots for as long as it is held.
  const { limits } = await limitsOf(ctx.db, ctx.config, orgId);
  const slot = await holdSlot(ctx, orgId, "maxHeldWaits", limits.maxHeldWaits);
  liftDeadline(c.get("deadline"));
  let tenant;
  try {
    tenant = await waitForTenantStatus(ctx, { orgId, envId: id, wait, timeoutMs: timeout * 1000, signal: c.req.raw.signal });
  } finally {
    slot.release();
  }
  return c.json({ success: true as const, tenant: tenantView(tenant, ctx.config) }, 200);
};
