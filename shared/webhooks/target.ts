/**
 * Webhook targets are checked before they are stored and again before every delivery (DNS can
 * change): a URL whose host resolves to a loopback, private, link-local, CGNAT, unspecified,
 * multicast, tunnelling (6to4, Teredo, NAT64) or reserved address is refused (ipaddr.js's
 * special-purpose ranges), unless WEBHOOK_ALLOWED_HOSTS names it. A delivery
 * then connects to exactly the addresses that were checked, so a DNS answer that changes
 * between the check and the connect (rebinding) cannot redirect it.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import type { LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import type { Config } from "../config.js";
import { AppError } from "../errors.js";
import { withTimeout } from "../timeout.js";

/** Why an address may not be a webhook target; null means it is a public address. */
export type AddressClass =
  | "unspecified"
  | "loopback"
  | "private"
  | "link-local"
  | "cgnat"
  | "multicast"
  | "transition" // 6to4, Teredo and local-use NAT64: tunnels whose far end nobody here can judge
  | "reserved";

/**
 * ipaddr.js's special-purpose ranges (the IANA registries, kept up to date by the library), by
 * the name it gives them. Every range it names is refused; the name only picks the words of the
 * message, and a name a later release adds is "reserved" until it is listed here.
 */
const classOfRange: Record<string, AddressClass> = {
  unspecified: "unspecified",
  loopback: "loopback",
  private: "private",
  uniqueLocal: "private", // fc00::/7
  deprecatedSiteLocal: "private", // fec0::/10
  linkLocal: "link-local", // includes the cloud metadata address 169.254.169.254
  carrierGradeNat: "cgnat",
  multicast: "multicast",
  teredo: "transition", // 2001::/32
  "6to4": "transition", // 2002::/16, and 192.88.99.0/24 is "reserved"
  rfc6052: "transition", // 64:ff9b:1::/48 (local-use NAT64); the well-known prefix is judged below
};

/** IPv6 prefixes whose last 32 bits are an IPv4 address judged as such: ::ffff:127.0.0.1 is loopback. */
const embedsV4: [ipaddr.IPv6, number][] = [
  "::ffff:0:0/96", // IPv4-mapped
  "64:ff9b::/96", // NAT64 well-known prefix: a public IPv4 behind it is as public as the IPv4 itself
].map((cidr) => ipaddr.IPv6.parseCIDR(cidr));

/** IPv6 prefixes ipaddr.js leaves "unicast" that are no place for a webhook. */
const alsoRefusedV6: [ipaddr.IPv6, number][] = [
  "::/96", // IPv4-compatible, deprecated (RFC 4291): ::10.0.0.1 would otherwise read as unicast
].map((cidr) => ipaddr.IPv6.parseCIDR(cidr));

function classifyV4(addr: ipaddr.IPv4): AddressClass | null {
  const range = addr.range();
  return range === "unicast" ? null : (classOfRange[range] ?? "reserved");
}

function classifyV6(addr: ipaddr.IPv6): AddressClass | null {
  const range = addr.range();
  if (range === "unspecified" || range === "loopback") return range; // before ::/96 below
  if (embedsV4.some((cidr) => addr.match(cidr))) {
    const [hi, lo] = addr.parts.slice(6) as [number, number];
    return classifyV4(new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]));
  }
  if (alsoRefusedV6.some((cidr) => addr.match(cidr))) return "reserved";
  return range === "unicast" ? null : (classOfRange[range] ?? "reserved");
}

/**
 * Classifies an IP address; null means public. Anything that is not an IP address in a standard
 * spelling (node's isIP: no "0177.0.0.1" octal or "2130706433" forms, which URL parsing already
 * turns into dotted quads) is "reserved".
 */
export function classifyAddress(ip: string): AddressClass | null {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  const family = isIP(bare);
  if (family === 0) return "reserved";
  try {
    if (family === 4) return classifyV4(ipaddr.IPv4.parse(bare));
    // ipaddr.js reads any dotted-quad tail as IPv4-mapped (it parses "::10.0.0.1" as
    // "::ffff:10.0.0.1"), so IPv6 reaches it in the URL standard's canonical hex form; a zone id
    // ("%eth0") says which interface, never which range.
    const canonical = new URL(`http://[${bare.split("%")[0]}]/`).hostname.slice(1, -1);
    return classifyV6(ipaddr.IPv6.parse(canonical));
  } catch {
    return "reserved"; // node and ipaddr.js disagree on a spelling: refuse rather than guess
  }
}

export class WebhookTargetError extends Error {
  constructor(
    message: string,
    /** True when a later attempt may succeed (a DNS failure), false when the target itself is refused. */
    readonly transient = false,
  ) {
    super(message);
    this.name = "WebhookTargetError";
  }
}

export interface CheckedTarget {
  url: URL;
  /** Checked addresses to connect to; empty when the host is an IP literal or on the allow-list. */
  addresses: LookupAddress[];
}

/** Is this URL's host (or host:port) named in WEBHOOK_ALLOWED_HOSTS? */
export function isAllowedHost(url: URL, allowed: readonly string[]): boolean {
  if (!allowed.length) return false;
  const host = url.hostname.toLowerCase(); // IPv6 stays bracketed: "[::1]"
  const bareHost = host.replace(/^\[(.*)\]$/, "$1");
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return allowed.some((entry) => {
    const e = entry.toLowerCase();
    if (e === host || e === bareHost) return true; // a host alone allows every port
    return e === `${host}:${port}` || e === `[${bareHost}]:${port}`;
  });
}

/**
 * Parses and checks a webhook URL: http(s) only, no credentials, and a host that resolves only
 * to public addresses (every address it resolves to, not just the first), unless allow-listed.
 * Throws WebhookTargetError with a message fit for the caller.
 */
export async function checkWebhookTarget(raw: string, opts: { allowedHosts: readonly string[]; timeoutMs: number }): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetError("webhookUrl is not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new WebhookTargetError("webhookUrl must be an http(s) URL");
  if (url.username || url.password) throw new WebhookTargetError("webhookUrl must not contain credentials");
  if (isAllowedHost(url, opts.allowedHosts)) return { url, addresses: [] };

  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(host)) {
    const cls = classifyAddress(host);
    if (cls) throw refused(url, host, cls);
    return { url, addresses: [] };
  }
  let addresses: LookupAddress[];
  try {
    addresses = await withTimeout(lookup(host, { all: true, verbatim: true }), opts.timeoutMs, "DNS lookup");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOTFOUND" || code === "ENODATA") throw new WebhookTargetError(`webhookUrl host "${host}" does not resolve`);
    throw new WebhookTargetError(`webhookUrl host "${host}" could not be resolved: ${(err as Error).message}`, true);
  }
  if (!addresses.length) throw new WebhookTargetError(`webhookUrl host "${host}" does not resolve`);
  for (const a of addresses) {
    const cls = classifyAddress(a.address);
    if (cls) throw refused(url, a.address, cls);
  }
  return { url, addresses };
}

/** For spawn: a refused target is the caller's mistake (400); a DNS outage is not (503). */
export async function validateWebhookUrl(raw: string, config: Pick<Config, "WEBHOOK_ALLOWED_HOSTS" | "WEBHOOK_TIMEOUT_MS">): Promise<void> {
  try {
    await checkWebhookTarget(raw, { allowedHosts: config.WEBHOOK_ALLOWED_HOSTS, timeoutMs: config.WEBHOOK_TIMEOUT_MS });
  } catch (err) {
    if (!(err instanceof WebhookTargetError)) throw err;
    if (err.transient) throw new AppError("DEPENDENCY_UNAVAILABLE", err.message);
    throw new AppError("VALIDATION_FAILED", err.message, { issues: [{ path: "webhookUrl", message: err.message }] });
  }
}

function refused(url: URL, address: string, cls: AddressClass) {
  const via = url.hostname.replace(/^\[(.*)\]$/, "$1") === address ? "" : ` (resolves to ${address})`;
  return new WebhookTargetError(`webhookUrl host "${url.hostname}"${via} is a ${cls} address; webhooks may only target public addresses unless WEBHOOK_ALLOWED_HOSTS names the host`);
}

/** A `lookup` for http.request that answers only with the addresses already checked. */
export function pinnedLookup(addresses: LookupAddress[]): LookupFunction | undefined {
  if (!addresses.length) return undefined;
  return ((_hostname: string, options: { all?: boolean; family?: number | string }, callback: (...args: unknown[]) => void) => {
    const family = options?.family === 6 || options?.family === "IPv6" ? 6 : options?.family === 4 || options?.family === "IPv4" ? 4 : 0;
    const usable = family ? addresses.filter((a) => a.family === family) : addresses;
    if (!usable.length) return callback(Object.assign(new Error("no checked address of the requested family"), { code: "ENOTFOUND" }));
    if (options?.all) return callback(null, usable);
    return callback(null, usable[0]!.address, usable[0]!.family);
  }) as LookupFunction;
}
