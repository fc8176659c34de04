/**
 * Billing decisions as pure functions of data (table-driven tests in tests/unit/billing-decide.test.ts):
 * what a Stripe answer to a meter event means for its outbox row, how long to wait before the next
 * try, whether an hour is still inside Stripe's window, and why Stripe's total differs from ours.
 */

/** Stripe accepts meter events up to 35 calendar days old; an hour is not sent once its start is within this margin of that limit. */
export const STRIPE_WINDOW_MS = 35 * 24 * 3600_000;
const WINDOW_MARGIN_MS = 3600_000;
/** Stripe enforces identifier uniqueness "within a rolling period of at least 24 hours". */
export const STRIPE_DEDUP_WINDOW_MS = 24 * 3600_000;
/** An hour is reported once it ended at least this long ago, so calls still being recorded at its end are in it. */
export const HOUR_SETTLE_MS = 60_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 10 * 60_000;

export type SendOutcome =
  | { kind: "delivered"; duplicate: boolean }
  | { kind: "retry"; delayMs: number; reason: string; rateLimited: boolean }
  | { kind: "expired"; reason: string }
  | { kind: "failed"; reason: string };

/** What the stripe client threw (a StripeError, or anything else for a connection that failed). */
export interface SendError {
  statusCode?: number;
  type?: string;
  code?: string;
  param?: string;
  message?: string;
  headers?: Record<string, string | undefined>;
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or null. */
export function retryAfterMs(value: string | undefined, now: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Exponential back-off by attempts made (1 s, 2 s, 4 s … 10 min), or Stripe's Retry-After when it is longer. */
export function backoffMs(attempts: number, retryAfter: number | null = null): number {
  const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return retryAfter !== null ? Math.max(retryAfter, Math.min(exp, BACKOFF_BASE_MS)) : exp;
}

const header = (h: SendError["headers"], name: string) => {
  if (!h) return undefined;
  for (const [k, v] of Object.entries(h)) if (k.toLowerCase() === name) return v;
  return undefined;
};

/** What a failed create of a meter event means. `attempts` counts this one. */
export function classifySendError(err: SendError, attempts: number, now: number): SendOutcome {
  const status = err.statusCode;
  const message = err.message ?? "unknown error";
  // Stripe refuses an identifier it already holds (400, "An event already exists with identifier …"):
  // an earlier attempt got through, so the event is delivered (never a reason to stop the loop).
  if (status === 400 && (/already exists with identifier/i.test(message) || err.code === "duplicate_meter_event")) return { kind: "delivered", duplicate: true };
  if (status === 429) {
    const wait = retryAfterMs(header(err.headers, "retry-after"), now);
    return { kind: "retry", delayMs: backoffMs(attempts, wait), reason: `Stripe rate limit (429)${wait !== null ? `, Retry-After ${Math.ceil(wait / 1000)} s` : ""}`, rateLimited: true };
  }
  if (status === 400 && err.param === "timestamp") return { kind: "expired", reason: `Stripe refused the timestamp: ${message}` };
  if (status === undefined || status >= 500 || status === 409 || status === 408) {
    const why = status === undefined ? `no answer from Stripe (${message})` : `Stripe answered ${status}: ${message}`;
    return { kind: "retry", delayMs: backoffMs(attempts, retryAfterMs(header(err.headers, "retry-after"), now)), reason: why, rateLimited: false };
  }
  // 401/403 are the platform's key, not the event: retried (slowly), so fixing the key delivers them.
  if (status === 401 || status === 403) return { kind: "retry", delayMs: BACKOFF_MAX_MS, reason: `Stripe refused the platform's key (${status}): ${message}`, rateLimited: false };
  return { kind: "failed", reason: `Stripe refused the event (${status}${err.code ? ` ${err.code}` : ""}): ${message}` };
}

/** Whether an hour can no longer be sent: Stripe takes timestamps at most 35 days old. */
export function isTooOld(hourStart: Date, now: Date): boolean {
  return hourStart.getTime() < now.getTime() - STRIPE_WINDOW_MS + WINDOW_MARGIN_MS;
}

/** Why Stripe's total for a customer and period differs from what the platform reported (null when it does not). */
export function driftReason(r: { reported: number; stripeTotal: number; recentlyDelivered: number }): string | null {
  const drift = r.stripeTotal - r.reported;
  if (drift === 0) return null;
  if (drift < 0 && -drift <= r.recentlyDelivered) {
    return `Stripe shows ${-drift} fewer calls than were reported: ${r.recentlyDelivered} were delivered in the last few minutes and Stripe aggregates meter events asynchronously; this closes by itself`;
  }
  if (drift < 0) {
    return `Stripe shows ${-drift} fewer calls than were reported and accepted: Stripe dropped events after accepting them (look at the meter's error reports in the Stripe dashboard, e.g. an unknown or deleted customer)`;
  }
  return `Stripe shows ${drift} more calls than were reported: events for this customer and meter were sent from outside this platform, or a retry reached Stripe after its 24-hour de-duplication window`;
}

/** The UTC month [from, to) containing `at`. */
export function monthOf(at: Date): { from: Date; to: Date } {
  return { from: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)), to: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1)) };
}
