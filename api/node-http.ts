/**
 * Request headers read, and response headers set, on Node's own request and response objects
 * when the app is served by @hono/node-server (always, in production).
 *
 * Why: `c.req.header()` builds a whole Fetch `Headers` object from the request (each name and
 * value converted and validated), and `c.header()` another one for the response, which the
 * server then converts back for Node. On a request as small as /healthz or a status read, those
 * two objects cost more than the rest of the middleware together. Node has already parsed the
 * headers; reading them there gives the same answer (duplicates joined with ", " as Fetch does).
 * Anywhere else (app.request() in process) the Fetch path is used.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "hono";

interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

const bindings = (c: Context) => c.env as NodeBindings | undefined;

/** A request header, `name` in lower case; like `c.req.header(name)`. */
export function requestHeader(c: Context, name: string): string | undefined {
  const raw = bindings(c)?.incoming?.rawHeaders;
  if (!raw) return c.req.header(name);
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length === name.length && key.toLowerCase() === name) value = value === undefined ? raw[i + 1]! : `${value}, ${raw[i + 1]!}`;
  }
  return value;
}

/** A response header; like `c.header(name, value)`, written with whatever response the handler returns. */
export function setResponseHeader(c: Context, name: string, value: string): void {
  const outgoing = bindings(c)?.outgoing;
  if (outgoing && !outgoing.headersSent) outgoing.setHeader(name, value);
  else c.header(name, value);
}
