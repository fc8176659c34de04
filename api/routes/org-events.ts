/**
 * GET /api/v1/events — every state change of the organisation's tenants as server-sent events:
 * `event: status` (`id:` the event's id, `data:` the change and the tenant as it is now), live
 * from the moment the stream opens, or replayed after Last-Event-ID first; then `event: sync`
 * once caught up, so a client lists the tenants after it and misses nothing in between; a
 * `: heartbeat` comment while nothing happens. It takes one of the organisation's event-stream
 * slots (maxEventStreams) while open. A stream authenticated by an access token ends
 * when the token expires (an EventSource reconnects with Last-Event-ID and its renewed cookie).
 */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { limitsOf } from "../../shared/limits/limits.js";
import { holdSlot } from "../../shared/limits/slots.js";
import { tenantView } from "../../shared/tenants/view.js";
import { watchOrganisationEvents } from "../../shared/tenants/status-watch.js";
import { access, visibleTenants } from "../access.js";
import type { HonoEnv } from "../env.js";
import { errorResponses } from "../schemas.js";
import { OrganisationEventsStreamEventSchema } from "../stream-schemas.js";
import { streamDeadline } from "../sse.js";

export const orgEventsRoute = createRoute({
  method: "get",
  path: "/api/v1/events",
  operationId: "streamOrganisationEvents",
  tags: ["Tenants"],
  summary: "Stream every tenant's state changes (server-sent events)",
  description:
    "Every state change of the organisation's tenants (those the credential may see) as server-sent events (OrganisationEventsStreamEvent): live from the moment the stream opens, or the ones after `Last-Event-ID` first; then `sync` once caught up, so a client that lists the tenants after it misses nothing in between. `: heartbeat` comments while idle. An open stream takes one of the organisation's event-stream slots.",
  ...access({ scope: "tenants:read" }),
  request: {
    headers: z.object({
      "last-event-id": z.coerce.number().int().nonnegative().optional().openapi({ description: "replay what came after this event id first" }),
    }),
  },
  responses: {
    200: {
      description:
        'text/event-stream: `event: status` with `data: {"envId","tenantId","name","from","to","reason","at","tenant":{…}}` (`tenant`: ' +
        'as it is when the event is sent), `event: sync` with `data: {"lastEventId"}` once caught up, `: heartbeat` comments while idle',
      content: { "text/event-stream": { schema: OrganisationEventsStreamEventSchema } },
    },
    ...errorResponses(400, 401, 403, 429),
  },
});

export const orgEventsHandler: RouteHandler<typeof orgEventsRoute, HonoEnv> = async (c) => {
  const afterEventId = c.req.valid("header")["last-event-id"];
  const ctx = c.get("ctx");
  const org = c.get("org");
  const principal = c.get("principal");
  const log = c.get("log");
  // An open stream takes one of the organisation's event-stream slots until it ends, as a tenant's does.
  const { limits } = await limitsOf(ctx.db, ctx.config, org.id);
  const slot = await holdSlot(ctx, org.id, "maxEventStreams", limits.maxEventStreams);
  const stop = streamDeadline(c, principal);
  c.header("X-Accel-Buffering", "no"); // proxies must not buffer an event stream
  return streamSSE(c, async (stream) => {
    stream.onAbort(() => stop.abort());
    try {
      const items = watchOrganisationEvents(ctx, {
        orgId: org.id,
        envIds: visibleTenants(principal),
        afterEventId,
        idleMs: ctx.config.SSE_HEARTBEAT_MS,
        signal: stop.signal,
      });
      for await (const item of items) {
        if (stream.aborted) break;
        if (item.kind === "idle") {
          await stream.write(": heartbeat\n\n");
        } else if (item.kind === "sync") {
          await stream.writeSSE({ event: "sync", id: String(item.lastEventId), data: JSON.stringify({ lastEventId: item.lastEventId }) });
        } else {
          const { event: e, tenant } = item;
          const view = tenantView(tenant, ctx.config);
          const data = { envId: e.envId, tenantId: view.tenantId, name: tenant.name, from: e.fromStatus, to: e.toStatus, reason: e.reason, at: e.createdAt.toISOString(), tenant: view };
          await stream.writeSSE({ event: "status", id: String(e.id), data: JSON.stringify(data) });
        }
      }
    } catch (err) {
      // The status line went out already; all that is left is to end the stream (the client may reconnect).
      if (!stop.signal.aborted) log.warn({ err }, "organisation event stream ended by an error");
    } finally {
      stop.abort();
      slot.release();
    }
  });
};
