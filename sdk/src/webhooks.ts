/**
 * Webhooks: the organisation's signing secret, and verifying a delivery (Standard Webhooks, with
 * the `standardwebhooks` reference library): signature, timestamp within five minutes, body.
 */
import { Webhook } from "standardwebhooks";
import { WebhookVerificationError } from "./errors.js";
import { unwrap, type ApiClient } from "./http.js";
import type { CallOptions, WebhookPayload } from "./types.js";

export class Webhooks {
  constructor(private readonly api: ApiClient) {}

  /** The `whsec_…` secret deliveries are signed with; created on first need, so the first event can be verified. */
  async secret(options: CallOptions = {}): Promise<{ secret: string; prefix: string }> {
    const { secret, prefix } = await unwrap(this.api.GET("/api/v1/webhooks/secret", { signal: options.signal }));
    return { secret, prefix };
  }

  /** Replaces the secret; every delivery from now on, retries included, is signed with the new one. */
  async rotateSecret(options: CallOptions = {}): Promise<{ secret: string; prefix: string }> {
    const { secret, prefix } = await unwrap(this.api.POST("/api/v1/webhooks/secret/rotate", { signal: options.signal }));
    return { secret, prefix };
  }
}

/** Request headers as a Fetch `Headers`, or as Node's `req.headers`. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/**
 * Checks a delivery and returns its payload. `payload` must be the raw body, byte for byte (not
 * re-serialised JSON). Throws WebhookVerificationError when the signature, the timestamp (more
 * than five minutes off) or the headers are wrong.
 */
export function verifyWebhook(payload: string | Uint8Array, headers: WebhookHeaders, secret: string): WebhookPayload {
  const wanted = ["webhook-id", "webhook-timestamp", "webhook-signature"] as const;
  const get = (name: string) => {
    const v = headers instanceof Headers ? headers.get(name) : (headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1]);
    return Array.isArray(v) ? v[0] : (v ?? undefined);
  };
  const picked = Object.fromEntries(wanted.map((name) => [name, get(name) ?? ""]));
  const body = typeof payload === "string" ? payload : new TextDecoder().decode(payload);
  try {
    return new Webhook(secret).verify(body, picked) as WebhookPayload;
  } catch (err) {
    // The library's own error (bad signature, stale timestamp, missing header), or a malformed secret.
    throw new WebhookVerificationError(`webhook not verified: ${(err as Error).message}`, err);
  }
}
