/**
 * A local stand-in for the parts of Stripe's API the platform calls, as a real HTTP server the
 * official `stripe` client talks to (STRIPE_API_URL=http://127.0.0.1:<port>). It follows Stripe's
 * documented behaviour: form-encoded bodies (`payload[value]=…`), `Authorization: Bearer <secret
 * key>`, Stripe's error JSON (`{"error":{"type","message","param"}}`) and status codes, meter event
 * identifiers unique for 24 hours (a second one is refused with 400 "An event already exists with
 * identifier …", `Stripe-Should-Retry: false`), timestamps at most 35 days old and 5 minutes ahead,
 * Idempotency-Key on creates, list envelopes with pagination, and meter event summaries summed per
 * customer over [start_time, end_time).
 *
 * Failures are injected for meter events, one per request in order: 429 with Retry-After, 5xx, a
 * connection dropped before processing, and a response lost after processing (Stripe has the
 * event, the caller never hears so). `responseDelayMs` answers late, after processing.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Fault = { kind: "429"; retryAfterSeconds?: number } | { kind: "5xx"; status?: number } | { kind: "drop" } | { kind: "lost-response" };

export interface MeterEventRecord {
  identifier: string;
  eventName: string;
  customer: string;
  value: number;
  timestamp: number;
  receivedAt: number;
}

const DAY_S = 86_400;

export class StripeStandIn {
  readonly secretKey: string;
  readonly meterEventName: string;
  readonly meterId = `mtr_${randomBytes(8).toString("hex")}`;
  /** Accepted meter events, in arrival order. */
  readonly events: MeterEventRecord[] = [];
  readonly customers = new Map<string, { id: string; name: string | null; metadata: Record<string, string> }>();
  /** Every request: method and path. */
  readonly requests: Array<{ method: string; path: string; status: number }> = [];
  /** Meter events refused because Stripe already had their identifier. */
  duplicatesRefused = 0;
  /** Meter events refused for their timestamp. */
  timestampsRefused = 0;
  /** Faults for the next meter event requests, first first. */
  faults: Fault[] = [];
  /** Answer every meter event this long after it was processed. */
  responseDelayMs = 0;
  private readonly identifiers = new Map<string, number>();
  private readonly idempotent = new Map<string, { status: number; body: unknown }>();
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  url = "";

  constructor(opts: { secretKey?: string; meterEventName?: string } = {}) {
    this.secretKey = opts.secretKey ?? `sk_test_${randomBytes(12).toString("hex")}`;
    this.meterEventName = opts.meterEventName ?? "convergence_calls";
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** The sum of accepted meter event values for a customer (optionally within [from, to) in seconds). */
  total(customer: string, from = -Infinity, to = Infinity): number {
    return this.events.filter((e) => e.customer === customer && e.timestamp >= from && e.timestamp < to).reduce((a, e) => a + e.value, 0);
  }

  meterEventRequests(): number {
    return this.requests.filter((r) => r.path === "/v1/billing/meter_events").length;
  }

  /** A meter event from outside the platform (another system billing the same customer). */
  addExternalEvent(customer: string, value: number, timestamp = Math.floor(Date.now() / 1000)): void {
    this.events.push({ identifier: `external_${randomBytes(6).toString("hex")}`, eventName: this.meterEventName, customer, value, timestamp, receivedAt: Date.now() });
  }

  createCustomer(name: string): string {
    const id = `cus_${randomBytes(7).toString("hex")}`;
    this.customers.set(id, { id, name, metadata: {} });
    return id;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://standin");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ method: req.method ?? "", path: url.pathname, status });
      res.writeHead(status, { "content-type": "application/json", "request-id": `req_${randomBytes(6).toString("hex")}`, ...headers });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, type: string, message: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
      send(status, { error: { type, message, ...extra } }, headers);

    if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
      return error(401, "invalid_request_error", "Invalid API Key provided: the key is missing or wrong.");
    }
    if (req.method === "POST" && !/^application\/x-www-form-urlencoded/.test(req.headers["content-type"] ?? "")) {
      return error(400, "invalid_request_error", "Invalid request: expected a form-encoded body (application/x-www-form-urlencoded).");
    }
    const form = parseForm(req.method === "POST" ? raw : url.search.slice(1));

    if (req.method === "POST" && url.pathname === "/v1/billing/meter_events") return this.meterEvent(req, res, form, send, error);

    if (req.method === "POST" && url.pathname === "/v1/customers") {
      const key = req.headers["idempotency-key"];
      const earlier = typeof key === "string" ? this.idempotent.get(key) : undefined;
      if (earlier) return send(earlier.status, earlier.body, { "idempotent-replayed": "true" });
      const id = `cus_${randomBytes(7).toString("hex")}`;
      const customer = { id, name: (form.name as string) ?? null, metadata: (form.metadata as Record<string, string>) ?? {} };
      this.customers.set(id, customer);
      const body = { object: "customer", created: Math.floor(Date.now() / 1000), livemode: false, ...customer };
      if (typeof key === "string") this.idempotent.set(key, { status: 200, body });
      return send(200, body);
    }
    const customer = /^\/v1\/customers\/([^/]+)$/.exec(url.pathname);
    if (req.method === "GET" && customer) {
      const found = this.customers.get(customer[1]!);
      return found ? send(200, { object: "customer", ...found }) : error(404, "invalid_request_error", `No such customer: '${customer[1]}'`, { code: "resource_missing", param: "id" });
    }
    if (req.method === "GET" && url.pathname === "/v1/billing/meters") {
      const meter = {
        id: this.meterId,
        object: "billing.meter",
        event_name: this.meterEventName,
        status: "active",
        display_name: "Convergence calls",
        default_aggregation: { formula: "sum" },
        customer_mapping: { event_payload_key: "stripe_customer_id", type: "by_id" },
        value_settings: { event_payload_key: "value" },
      };
      return send(200, { object: "list", data: [meter], has_more: false, url: "/v1/billing/meters" });
    }
    const summaries = /^\/v1\/billing\/meters\/([^/]+)\/event_summaries$/.exec(url.pathname);
    if (req.method === "GET" && summaries) {
      if (summaries[1] !== this.meterId) return error(404, "invalid_request_error", `No such billing meter: '${summaries[1]}'`, { code: "resource_missing", param: "id" });
      for (const p of ["customer", "start_time", "end_time"]) if (form[p] === undefined) return error(400, "invalid_request_error", `Missing required param: ${p}.`, { param: p });
      const [start, end] = [Number(form.start_time), Number(form.end_time)];
      if (start % 60 !== 0 || end % 60 !== 0) return error(400, "invalid_request_error", "start_time and end_time must be aligned with minute boundaries.", { param: "start_time" });
      if (start >= end) return error(400, "invalid_request_error", "start_time must be before end_time.", { param: "start_time" });
      const summary = {
        id: `mtrusg_${randomBytes(6).toString("hex")}`,
        object: "billing.meter_event_summary",
        aggregated_value: this.total(form.customer as string, start, end),
        start_time: start,
        end_time: end,
        livemode: false,
        meter: this.meterId,
      };
      return send(200, { object: "list", data: [summary], has_more: false, url: url.pathname });
    }
    return error(404, "invalid_request_error", `Unrecognized request URL (${req.method}: ${url.pathname}).`);
  }

  private async meterEvent(
    req: IncomingMessage,
    res: ServerResponse,
    form: Record<string, unknown>,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
    error: (status: number, type: string, message: string, extra?: Record<string, string>, headers?: Record<string, string>) => void,
  ): Promise<void> {
    const fault = this.faults.shift();
    if (fault?.kind === "drop") {
      this.requests.push({ method: "POST", path: "/v1/billing/meter_events", status: 0 });
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "429") {
      return error(
        429,
        "invalid_request_error",
        "Too many requests hit the API too quickly.",
        { code: "rate_limit" },
        { "retry-after": String(fault.retryAfterSeconds ?? 1), "stripe-should-retry": "true" },
      );
    }
    if (fault?.kind === "5xx") return error(fault.status ?? 500, "api_error", "An unknown error occurred.", {}, { "stripe-should-retry": "true" });

    const payload = (form.payload ?? {}) as Record<string, string>;
    const now = Math.floor(Date.now() / 1000);
    if (typeof form.event_name !== "string" || !form.event_name) return error(400, "invalid_request_error", "Missing required param: event_name.", { param: "event_name" });
    if (!payload.stripe_customer_id) return error(400, "invalid_request_error", "Missing required param: payload[stripe_customer_id].", { param: "payload" });
    if (!/^-?\d+(\.\d+)?$/.test(payload.value ?? "")) return error(400, "invalid_request_error", "payload[value] must be a number.", { param: "payload" });
    const timestamp = form.timestamp === undefined ? now : Number(form.timestamp);
    if (!Number.isInteger(timestamp) || timestamp < now - 35 * DAY_S || timestamp > now + 300) {
      this.timestampsRefused++;
      return error(400, "invalid_request_error", "Timestamp must be within the past 35 calendar days or up to 5 minutes in the future.", { param: "timestamp" });
    }
    const identifier = typeof form.identifier === "string" && form.identifier ? form.identifier : `ev_${randomBytes(10).toString("hex")}`;
    const seen = this.identifiers.get(identifier);
    if (seen !== undefined && Date.now() - seen < DAY_S * 1000) {
      this.duplicatesRefused++;
      return error(400, "invalid_request_error", `An event already exists with identifier ${identifier}.`, {}, { "stripe-should-retry": "false" });
    }
    this.identifiers.set(identifier, Date.now());
    this.events.push({ identifier, eventName: form.event_name, customer: payload.stripe_customer_id, value: Number(payload.value), timestamp, receivedAt: Date.now() });
    if (fault?.kind === "lost-response") {
      this.requests.push({ method: "POST", path: "/v1/billing/meter_events", status: 0 });
      req.socket.destroy();
      return;
    }
    if (this.responseDelayMs) await new Promise((r) => setTimeout(r, this.responseDelayMs));
    if (res.destroyed) return;
    send(200, { object: "billing.meter_event", created: now, event_name: form.event_name, identifier, livemode: false, payload, timestamp });
  }
}

/** Stripe's form encoding: `a=1&payload[b]=2&expand[0]=x` → `{ a: "1", payload: { b: "2" }, expand: { 0: "x" } }`. */
export function parseForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.split(/\[|\]\[|\]/).filter((p) => p !== "");
    let node = out as Record<string, unknown>;
    for (const [i, part] of path.entries()) {
      if (i === path.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Record<string, unknown>;
    }
  }
  return out;
}
