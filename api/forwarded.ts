/**
 * Requests that came through the ingress (Caddy serving the API at https://<API_HOSTNAME>): what
 * the API believes of the forwarding headers, and the HTTPS-only answers.
 *
 * X-Forwarded-Proto and X-Forwarded-For are believed only from a peer in TRUSTED_PROXIES (the
 * ingress's address as the API sees it; loopback by default). Caddy sets both itself and ignores
 * the client's own values, so what arrives from it is Caddy's word; the same headers from any
 * other peer (a client on the plain port, a tenant) are ignored. Plain HTTP on PORT keeps working.
 */
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import { clientBehind, isTrustedAddress, proxyList } from "../shared/auth/client-address.js";
import { requestHeader, setResponseHeader } from "./node-http.js";
import type { HonoEnv } from "./env.js";

/** One year: browsers keep using HTTPS for the API's hostname; sent over HTTPS only (RFC 6797 ignores it over HTTP). */
export const HSTS_VALUE = "max-age=31536000";

/** The TCP peer's address (IPv4-mapped IPv6 shown as IPv4); undefined when not served by @hono/node-server. */
export function peerAddress(c: Context): string | undefined {
  let address: string | undefined;
  try {
    address = getConnInfo(c).remote.address;
  } catch {
    // not served by @hono/node-server (an in-process app.request): no socket
  }
  return address?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
}

/** Whether the peer is one of `trusted` (IPv4 or IPv6 addresses or CIDRs). */
export function isTrustedPeer(address: string | undefined, trusted: readonly string[]): boolean {
  return address !== undefined && isTrustedAddress(proxyList(trusted), address);
}

/** The proxies to believe; none when the context is not set (nothing is believed then). */
const trustedProxies = (c: Context<HonoEnv>): readonly string[] => c.get("ctx")?.config.TRUSTED_PROXIES ?? [];
const fromTrustedProxy = (c: Context<HonoEnv>) => isTrustedPeer(peerAddress(c), trustedProxies(c));

/** Whether the client's request reached the API over HTTPS: directly, or through a trusted proxy that says so. */
export function cameOverHttps(c: Context<HonoEnv>): boolean {
  if (new URL(c.req.url).protocol === "https:") return true;
  const proto = requestHeader(c, "x-forwarded-proto");
  // Several values (a chain of proxies): the last was set by the proxy in front of us.
  return proto !== undefined && proto.split(",").pop()!.trim().toLowerCase() === "https" && fromTrustedProxy(c);
}

/**
 * The client's address: the peer's, or, behind a trusted proxy, the rightmost address of
 * X-Forwarded-For that is not itself a trusted proxy (each proxy appends the address it saw the
 * request come from; entries left of that are the client's word). See shared/auth/client-address.ts.
 */
export function forwardedClientAddress(c: Context<HonoEnv>): string | undefined {
  const peer = peerAddress(c);
  return peer === undefined ? undefined : clientBehind(peer, requestHeader(c, "x-forwarded-for"), proxyList(trustedProxies(c)));
}

/** Strict-Transport-Security on every answer to a request that came over HTTPS. */
export const strictTransportSecurity: MiddlewareHandler<HonoEnv> = async (c, next) => {
  if (cameOverHttps(c)) setResponseHeader(c, "Strict-Transport-Security", HSTS_VALUE);
  await next();
};
