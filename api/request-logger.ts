/**
 * A request's logger (`c.get("log")`): the request's fields on every line, its pino child logger
 * made only if the handler logs something. Apart from the middleware that makes one per request
 * (./request-log.ts), so that ./env.ts can name its type without an import cycle.
 */
import type { Logger } from "pino";
import { requestLine, type RequestOutcome } from "../shared/logger.js";

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
