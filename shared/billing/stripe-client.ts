/**
 * The Stripe client, built once per process from the configuration: the official `stripe` npm
 * package pointed at STRIPE_API_URL (Stripe's own, or a local stand-in). Billing is on only when
 * STRIPE_SECRET_KEY is set; without it nothing here is called and nothing changes.
 *
 * The client never retries by itself (maxNetworkRetries 0): the outbox decides what is retried
 * and when (shared/billing/decide.ts), always with the event's own identifier.
 */
import Stripe from "stripe";
import type { Config } from "../config.js";

export type StripeClient = Stripe;

export const billingEnabled = (config: Pick<Config, "STRIPE_SECRET_KEY">): boolean => Boolean(config.STRIPE_SECRET_KEY);

/** Per-request timeout: a request that gets no answer is retried later with the same identifier. */
const REQUEST_TIMEOUT_MS = 15_000;

export function createStripeClient(config: Pick<Config, "STRIPE_SECRET_KEY" | "STRIPE_API_URL">): StripeClient | null {
  if (!config.STRIPE_SECRET_KEY) return null;
  const url = new URL(config.STRIPE_API_URL);
  const protocol = url.protocol === "http:" ? "http" : "https";
  return new Stripe(config.STRIPE_SECRET_KEY, {
    host: url.hostname,
    port: url.port ? Number(url.port) : protocol === "http" ? 80 : 443,
    protocol,
    maxNetworkRetries: 0,
    timeout: REQUEST_TIMEOUT_MS,
    telemetry: false,
    appInfo: { name: "convergence" },
  });
}

let cached: { key: string; url: string; client: StripeClient | null } | undefined;

/** One client per process (it keeps its connections alive), made on first use. */
export function stripeFor(config: Pick<Config, "STRIPE_SECRET_KEY" | "STRIPE_API_URL">): StripeClient | null {
  const key = config.STRIPE_SECRET_KEY ?? "";
  if (!cached || cached.key !== key || cached.url !== config.STRIPE_API_URL) cached = { key, url: config.STRIPE_API_URL, client: createStripeClient(config) };
  return cached.client;
}
