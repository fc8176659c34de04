/** POST /api/v1/tenant/:id/sleep and /wake — scale to zero by hand (docs/idle.md). */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { requestSleep, requestWake } from "../../shared/tenants/sleep.js";
import { tenantView } from "../../shared/tenants/view.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { TenantIdParam, TenantSchema, errorResponses } from "../schemas.js";

const accepted = (what: string) => ({
  description: what,
  content: { "application/json": { schema: z.object({ success: z.literal(true), tenant: TenantSchema }) } },
});

export const sleepRoute = createRoute({
  method: "post",
  path: "/api/v1/tenant/{id}/sleep",
  operationId: "sleepTenant",
  tags: ["Tenants"],
  summary: "Put a tenant to sleep",
  description:
    "`paused`: the container is frozen with its memory kept (wakes in tens of ms); `stopped`: it is stopped and its memory freed (wakes in about a start). Port, route, key and data stay. The first request to its HTTPS hostname wakes it, held until it answers. A request in flight or an open connection keeps it awake. Swarm offers only `stopped` (400 for `paused`).",
  ...access({ scope: "tenants:write" }),
  request: {
    params: TenantIdParam,
    body: {
      content: { "application/json": { schema: z.strictObject({ mode: z.enum(["paused", "stopped"], { error: 'mode must be "paused" or "stopped"' }) }), example: { mode: "paused" } } },
      required: true,
    },
  },
  responses: { 202: accepted("accepted; a worker pauses or stops the container"), ...errorResponses(400, 401, 403, 404, 409) },
});

export const sleepHandler: RouteHandler<typeof sleepRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const { mode } = c.req.valid("json");
  const ctx = c.get("ctx");
  const tenant = await requestSleep({ ctx, orgId: c.get("org").id, envId: id, mode, reason: `sleep requested (${mode})` });
  ctx.tenantRows.evict(id);
  return c.json({ success: true as const, tenant: tenantView(tenant, ctx.config) }, 202);
};

export const wakeRoute = createRoute({
  method: "post",
  path: "/api/v1/tenant/{id}/wake",
  operationId: "wakeTenant",
  tags: ["Tenants"],
  summary: "Wake a sleeping tenant",
  description: "paused | stopped → waking → ready (`tenant.woke`). A no-op when it is waking or ready. 503 CAPACITY_EXHAUSTED when the host has no room for it.",
  ...access({ scope: "tenants:write" }),
  request: { params: TenantIdParam },
  responses: { 202: accepted("accepted; a worker unpauses or starts the container"), ...errorResponses(400, 401, 403, 404, 409, 503) },
});

export const wakeHandler: RouteHandler<typeof wakeRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const ctx = c.get("ctx");
  const tenant = await requestWake({ ctx, orgId: c.get("org").id, envId: id, reason: "wake requested" });
  ctx.tenantRows.evict(id);
  return c.json({ success: true as const, tenant: tenantView(tenant, ctx.config) }, 202);
};
