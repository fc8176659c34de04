/**
 * GET /api/v1/tenant/:id/logs?tail=50 — the container's last log lines, fetched by a worker.
 * With `follow=true`, server-sent events instead: the last `tail` lines, then each new one as the
 * tenant prints it (`event: line`, `id:` the line's timestamp in nanoseconds, `data:` a
 * TenantLogLine), `: heartbeat` comments while idle, and `event: end` once the tenant is
 * destroyed. A reconnecting client sends Last-Event-ID and gets the lines after it instead of
 * the tail. Workers follow the container; the API reads their lines from Redis (shared/logs/).
 */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { isValidLineId } from "../../shared/logs/channel.js";
import { openLogFollow } from "../../shared/logs/open-follow.js";
import { requestTenantLogs } from "../../shared/tenants/logs.js";
import { access } from "../access.js";
import { streamDeadline } from "../sse.js";
import type { HonoEnv } from "../env.js";
import { TenantIdParam, errorResponses } from "../schemas.js";
import { TenantLogStreamEventSchema } from "../stream-schemas.js";

const MAX_TAIL = 5000;
const DEFAULT_TAIL = 100;

export const logsRoute = createRoute({
  method: "get",
  path: "/api/v1/tenant/{id}/logs",
  operationId: "getTenantLogs",
  tags: ["Tenants"],
  summary: "A tenant's container logs, or a live stream of them (follow=true)",
  description:
    "The last `tail` lines the tenant's container printed, fetched by a worker from the engine it runs on. With `follow=true`, a text/event-stream instead (TenantLogStreamEvent): those lines, then each new one as it is printed, until the tenant is destroyed; a client that reconnects with `Last-Event-ID` gets the lines after it. Secrets in lines (tenant keys, tokens) are masked.",
  ...access({ scope: "tenants:read" }),
  request: {
    params: TenantIdParam,
    query: z.object({
      // Coercion would let the generated document call it nullable (null coerces to 0): the type is stated.
      tail: z.coerce
        .number()
        .int()
        .min(0)
        .max(MAX_TAIL)
        .default(DEFAULT_TAIL)
        .openapi({ type: "integer", minimum: 0, maximum: MAX_TAIL, default: DEFAULT_TAIL, description: "how many of the most recent lines (with follow: 0 = only new ones)" }),
      follow: z
        .enum(["true", "false"])
        .default("false")
        .transform((v) => v === "true")
        .openapi({ description: "`true`: a text/event-stream of the lines as they are printed, until the tenant is destroyed" }),
    }),
    headers: z.object({
      "last-event-id": z
        .string()
        .refine(isValidLineId, "must be the id of a log line (digits)")
        .optional()
        .openapi({ description: "with follow: resume after this line (the `id:` of the last line received) instead of sending the tail" }),
    }),
  },
  responses: {
    200: {
      description:
        "Without follow: the lines, oldest first, each prefixed with its timestamp. With follow (text/event-stream): `event: line` with `id:` " +
        "(the line's timestamp in nanoseconds since the epoch) and a TenantLogLine as `data:`, oldest first, history then live; " +
        "`: heartbeat` comments while idle; `event: end` once the tenant is destroyed, then the stream ends.",
      content: {
        "application/json": {
          schema: z.object({ success: z.literal(true), container: z.string().nullable(), lines: z.array(z.string()) }),
        },
        "text/event-stream": { schema: TenantLogStreamEventSchema },
      },
    },
    ...errorResponses(400, 401, 403, 404, 429, 503),
  },
});

export const logsHandler: RouteHandler<typeof logsRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const { tail, follow } = c.req.valid("query");
  const ctx = c.get("ctx");
  const orgId = c.get("org").id;
  if (!follow) {
    const { lines, container } = await requestTenantLogs({ ctx, orgId, envId: id, tail, deadline: c.get("deadline") });
    return c.json({ success: true as const, container, lines }, 200);
  }

  const log = c.get("log");
  const afterId = c.req.valid("header")["last-event-id"];
  // Refusals (404, 429, 503) come before the stream opens, as JSON.
  const follower = await openLogFollow(ctx, { orgId, envId: id, tail, afterId, idleMs: ctx.config.SSE_HEARTBEAT_MS });
  // Ends when the client goes away or its access token expires (a client reconnects with Last-Event-ID).
  const stop = streamDeadline(c, c.get("principal"));
  stop.signal.addEventListener("abort", () => void follower.close(), { once: true });
  c.header("X-Accel-Buffering", "no"); // proxies must not buffer an event stream
  return streamSSE(c, async (stream) => {
    stream.onAbort(() => void follower.close());
    const send = (l: { id: string; at: string; line: string }) => stream.writeSSE({ event: "line", id: l.id, data: JSON.stringify({ at: l.at, line: l.line }) });
    try {
      for (const line of follower.backlog) await send(line);
      for await (const item of follower.items) {
        if (stream.aborted) break;
        if (item.kind === "idle") await stream.write(": heartbeat\n\n");
        else if (item.kind === "line") await send(item);
        else {
          await stream.writeSSE({ event: "end", data: JSON.stringify({ reason: "tenant destroyed" }) });
          break;
        }
      }
    } catch (err) {
      // The status line went out already; all that is left is to end the stream (the client may reconnect).
      if (!stream.aborted) log.warn({ err, envId: id }, "tenant log stream ended by an error");
    } finally {
      stop.abort();
      await follower.close();
    }
  });
};
