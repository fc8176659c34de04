/** What a Stripe answer to a meter event means for its outbox row, back-off, Stripe's window, and drift reasons (shared/billing/decide.ts). */
import { describe, expect, it } from "vitest";
import { backoffMs, classifySendError, driftReason, isTooOld, monthOf, retryAfterMs, type SendError } from "../../shared/billing/decide.js";

const now = Date.parse("2026-12-05T12:00:00Z");
const DAY = 86_400_000;

describe("a Stripe answer to a meter event", () => {
  const cases: Array<[string, SendError, string]> = [
    [
      "a duplicate identifier is delivered (an earlier attempt got through)",
      { statusCode: 400, type: "invalid_request_error", message: "An event already exists with identifier cvg-1-2-0." },
      "delivered",
    ],
    ["a 429 is retried", { statusCode: 429, message: "Too many requests", headers: { "retry-after": "3" } }, "retry"],
    ["a 500 is retried", { statusCode: 500, message: "An unknown error occurred." }, "retry"],
    ["a 503 is retried", { statusCode: 503, message: "unavailable" }, "retry"],
    ["no answer (a dropped connection) is retried", { type: "StripeConnectionError", message: "socket hang up" }, "retry"],
    ["a 401 (the platform's key) is retried, so fixing the key delivers it", { statusCode: 401, message: "Invalid API Key" }, "retry"],
    ["a refused timestamp is expired", { statusCode: 400, param: "timestamp", message: "Timestamp must be within the past 35 calendar days" }, "expired"],
    ["any other 400 fails for good", { statusCode: 400, code: "resource_missing", message: "No such customer" }, "failed"],
    ["a 404 fails for good", { statusCode: 404, message: "Not found" }, "failed"],
  ];
  it.each(cases)("%s", (_, err, kind) => {
    expect(classifySendError(err, 1, now).kind).toBe(kind);
  });

  it("a 429 waits Stripe's Retry-After and says it is a rate limit", () => {
    const o = classifySendError({ statusCode: 429, message: "x", headers: { "Retry-After": "7" } }, 1, now);
    expect(o).toMatchObject({ kind: "retry", delayMs: 7_000, rateLimited: true });
  });
  it("a duplicate is not a failure, whatever attempt it is", () => {
    expect(classifySendError({ statusCode: 400, message: "An event already exists with identifier a." }, 9, now)).toEqual({ kind: "delivered", duplicate: true });
  });
});

describe("back-off", () => {
  it("doubles from 1 s and stops at 10 min", () => {
    expect([1, 2, 3, 4, 20].map((a) => backoffMs(a))).toEqual([1_000, 2_000, 4_000, 8_000, 600_000]);
  });
  it("honours a longer Retry-After, and never waits less than 1 s with one", () => {
    expect(backoffMs(1, 30_000)).toBe(30_000);
    expect(backoffMs(5, 0)).toBe(1_000);
  });
  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterMs("12", now)).toBe(12_000);
    expect(retryAfterMs(new Date(now + 5_000).toUTCString(), now)).toBe(5_000);
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs(undefined, now)).toBeNull();
  });
});

describe("Stripe's 35-day window", () => {
  it.each([
    [34 * DAY, false],
    [35 * DAY - 2 * 3600_000, false],
    [35 * DAY - 30 * 60_000, true],
    [36 * DAY, true],
  ])("an hour %d ms old is too old: %s", (age, tooOld) => {
    expect(isTooOld(new Date(now - age), new Date(now))).toBe(tooOld);
  });
});

describe("drift against Stripe", () => {
  it("none when Stripe agrees", () => expect(driftReason({ reported: 10, stripeTotal: 10, recentlyDelivered: 0 })).toBeNull());
  it("fewer at Stripe, covered by recent deliveries: aggregation lag", () =>
    expect(driftReason({ reported: 10, stripeTotal: 7, recentlyDelivered: 3 })).toMatch(/aggregates meter events asynchronously/));
  it("fewer at Stripe beyond recent deliveries: dropped after acceptance", () =>
    expect(driftReason({ reported: 10, stripeTotal: 2, recentlyDelivered: 3 })).toMatch(/dropped events after accepting/));
  it("more at Stripe: events from elsewhere, or a retry past the de-duplication window", () =>
    expect(driftReason({ reported: 10, stripeTotal: 12, recentlyDelivered: 0 })).toMatch(/2 more calls .* outside this platform/));
});

it("a month is [first day, first day of the next) in UTC", () => {
  expect(monthOf(new Date("2026-12-31T23:59:59Z"))).toEqual({ from: new Date("2026-12-01T00:00:00Z"), to: new Date("2027-01-01T00:00:00Z") });
});
