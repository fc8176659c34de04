/**
 * GET /api/v1/tenant/:id/events — the tenant's state changes as server-sent events: first its
 * recorded history, then each transition as it is committed (`event: status`, `id:` the event's
 * id, `data: {"from","to","reason","at"}`), with a `: heartbeat` comment while nothing happens.
 * The stream ends after `destroyed`, when the client goes away, or when the access token that
 * opened it expires; a reconnecting client sends Last-Event-ID and gets only what it missed.
 */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { limitsOf } from "../../shared/limits/limits.js";
import { holdSlot } from "../../shared/limits/slots.js";
import { getTenantForOrg } from "../../shared/tenants/queries.js";
import { watchTenantEvents } from "../../shared/tenants/status-watch.js";
import { access } from "../access.js";
import { streamDeadline } from "../sse.js";
import type { HonoEnv } from "../env.js";
import { TenantIdParam, errorResponses } from "../schemas.js";
import { TenantEventsStreamEventSchema } from "../stream-schemas.js";

export const eventsRoute = createRoute({
  method: "get",
  path: "/api/v1/tenant/{id}/events",
  operationId: "streamTenantEvents",
  tags: ["Tenants"],
  summary: "Stream a tenant's state changes (server-sent events)",
  description:
    "The tenant's recorded state changes first, then each one as it is committed, as server-sent events (TenantEventsStreamEvent); `: heartbeat` comments while nothing happens. The stream ends after `destroyed`, when the client goes away, or when the access token that opened it expires; a client that reconnects with `Last-Event-ID` gets only what it missed. An open stream takes one of the organisation's event-stream slots.",
  ...access({ scope: "tenants:read" }),
  request: {
    params: TenantIdParam,
    headers: z.object({
      "last-event-id": z.coerce
        .number({ error: "Last-Event-ID must be an event id" })
        .int("Last-Event-ID must be an event id")
        .nonnegative("Last-Event-ID must be an event id")
        .max(Number.MAX_SAFE_INTEGER, "Last-Event-ID is out of range")
        .optional()
        .openapi({ description: "resume after this event id" }),
    }),
  },
  responses: {
    200: {
      description:
        'text/event-stream: `event: status` with `data: {"from":"starting","to":"ready","reason":"…","at":"…"}`, history first, ' +
        "then live; `: heartbeat` comments while idle; ends after `destroyed`",
      content: { "text/event-stream": { schema: TenantEventsStreamEventSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

export const eventsHandler: RouteHandler<typeof eventsRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const afterEventId = c.req.valid("header")["last-event-id"];
  const ctx = c.get("ctx");
  const org = c.get("org");
  const log = c.get("log");
  // Checked before the stream opens, so a missing (or another organisation's) tenant is a JSON 404.
  await getTenantForOrg(ctx.db, org.id, id);
  // An open stream takes one of the organisation's event-stream slots until it ends.
  const { limits } = await limitsOf(ctx.db, ctx.config, org.id);
  const slot = await holdSlot(ctx, org.id, "maxEventStreams", limits.maxEventStreams);

  const stop = streamDeadline(c, c.get("principal"));
  c.header("X-Accel-Buffering", "no"); // proxies must not buffer an event stream
  return streamSSE(c, async (stream) => {
    stream.onAbort(() => stop.abort());
    try {
      const items = watchTenantEvents(ctx, { orgId: org.id, envId: id, afterEventId, idleMs: ctx.config.SSE_HEARTBEAT_MS, signal: stop.signal });
      for await (const item of items) {
        if (stream.aborted) break;
        if (item.kind === "idle") {
          await stream.write(": heartbeat\n\n");
          continue;
        }
        const e = item.event;
        await stream.writeSSE({
          event: "status",
          id: String(e.id),
          data: JSON.stringify({ from: e.fromStatus, to: e.toStatus, reason: e.reason, at: e.createdAt.toISOString() }),
        });
      }
    } catch (err) {
      // The status line went out already; all that is left is to end the stream (the client may reconnect).
      if (!stop.signal.aborted) log.warn({ err, envId: id }, "tenant event stream ended by an error");
    } finally {
      stop.abort();
      slot.release();
    }
  });
};
