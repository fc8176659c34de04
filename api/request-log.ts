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
import type { Logger } from "pino";
import { requestLine, type RequestOutcome } from "../shared/logger.js";
import type { ApiContext, HonoEnv } from "./env.js";
import { requestHeader, setResponseHeader } from "./node-http.js";

const levels = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

/** A request's logger: pino's level methods, with the request's fields on every line. */
export interface RequestLogger extends Pick<Logger, (typeof levels)[number]> {}
export class RequestLogger {
  /** Fields on every line of this request: requestId, then what authentication adds (orgId, credential…). */
  readonly fields: Record<string, unknown>;
  #logger: Logger | undefined;

  constructor(
    private readonly base: Logger,
    requestId: string,
  ) {
    this.fields = { requestId };
  }

  /** Adds fields to every later line of this request, the request line included. */
  bind(fields: Record<string, unknown>): void {
    Object.assign(this.fields, fields);
    this.#logger = undefined;
  }

  /** The pino child logger with this request's fields, made on first use. */
  get logger(): Logger {
    return (this.#logger ??= this.base.child(this.fields));
  }

  child(bindings: Record<string, unknown>): Logger {
    return this.logger.child(bindings);
  }

  /** The one line per request, written from the fields without a child logger. */
  request(outcome: RequestOutcome): void {
    requestLine(this.base, this.fields, outcome);
  }
}

// On the prototype, not as per-instance closures: a RequestLogger is made for every request.
for (const level of levels) {
  RequestLogger.prototype[level] = function (this: RequestLogger, ...args: unknown[]) {
    (this.logger[level] as (...a: unknown[]) => void)(...args);
  } as Logger[typeof level];
}

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
