/**
 * What happens around every request: a request id (the caller's X-Request-Id when it is a sane
 * one, else a new UUID, echoed in the response), one log line when the answer is known
 * (`request`: method, path, status, ms, and who asked once authenticated), and the request
 * duration histogram.
 *
 * This runs on every request but the liveness probe (/healthz), the status endpoint included,
 * so it is kept cheap: a request's fields are collected in a plain object, and the pino child
 * logger that a handler gets from `c.get("log")` is made only if the handler logs something (most
 * log nothing but the request line, which is written straight from the fields).
 */
import { createMiddleware } from "hono/factory";
import type { ApiContext, HonoEnv } from "./env.js";
import { requestHeader, setResponseHeader } from "./node-http.js";
import { RequestLogger } from "./request-logger.js";

const REQUEST_ID_HEADER = "X-Request-Id";
const MAX_REQUEST_ID_LENGTH = 255;
const unsafeRequestId = /[^\w\-=]/;

/** Request id, `ctx` and `log` on the context; after the answer: the request line and the duration metric. */
export function observeRequests(ctx: ApiContext) {
  return createMiddleware<HonoEnv>(async (c, next) => {
    const started = performance.now();
    let id = requestHeader(c, "x-request-id");
    if (!id || id.length > MAX_REQUEST_ID_LENGTH || unsafeRequestId.test(id)) id = crypto.randomUUID();
    setResponseHeader(c, REQUEST_ID_HEADER, id);
    const log = new RequestLogger(ctx.logger, id);
    c.set("requestId", id);
    c.set("ctx", ctx);
    c.set("log", log);
    await next();
    const ms = performance.now() - started;
    ctx.metrics.observeRequest(c, ms / 1000);
    log.request({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(ms) });
  });
}
