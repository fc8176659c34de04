/**
 * Webhook targets are checked before they are stored and again before every delivery (DNS can
 * change): a URL whose host resolves to a loopback, private, link-local, CGNAT, unspecified,
 * multicast or reserved address is refused, unless WEBHOOK_ALLOWED_HOSTS names it. A delivery
 * then connects to exactly the addresses that were checked, so a DNS answer that changes
 * between the check and the connect (rebinding) cannot redirect it.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
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
  | "reserved";

type V4Rule = [base: string, bits: number, cls: AddressClass];

const v4Rules: V4Rule[] = [
  ["0.0.0.0", 8, "unspecified"], // "this network", including 0.0.0.0 itself
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "cgnat"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"], // includes the cloud metadata address 169.254.169.254
  ["172.16.0.0", 12, "private"], // includes Docker's default bridge 172.17.0.0/16
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"],
  ["198.51.100.0", 24, "reserved"],
  ["203.0.113.0", 24, "reserved"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"], // includes 255.255.255.255
];

function parseV4(ip: string): number | null {
  const parts = ip.split(".");
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

const v4Parsed = v4Rules.map(([base, bits, cls]) => ({ base: parseV4(base)!, bits, cls }));

function classifyV4(n: number): AddressClass | null {
  for (const r of v4Parsed) {
    const shift = 32 - r.bits;
    if (Math.floor(n / 2 ** shift) === Math.floor(r.base / 2 ** shift)) return r.cls;
  }
  return null;
}

/** An IPv6 address as 8 16-bit groups; accepts "::" compression and a trailing dotted quad. */
function parseV6(ip: string): number[] | null {
  let s = ip.split("%")[0]!; // zone id (fe80::1%eth0)
  const lastColon = s.lastIndexOf(":");
  const last = s.slice(lastColon + 1);
  if (last.includes(".")) {
    const v4 = parseV4(last);
    if (v4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const group = (part: string) => (part === "" ? [] : part.split(":"));
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  const explicit = head.length + rest.length;
  if (halves.length === 1 && explicit !== 8) return null;
  if (halves.length === 2 && explicit > 7) return null;
  const toNum = (g: string) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN);
  const groups = [...head.map(toNum), ...Array<number>(8 - explicit).fill(0), ...rest.map(toNum)];
  return groups.some((g) => Number.isNaN(g)) ? null : groups;
}

function classifyV6(g: number[]): AddressClass | null {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  const v4 = (hi: number, lo: number) => hi * 65536 + lo;
  const zeroPrefix = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroPrefix && g5 === 0 && g6 === 0 && g7 === 0) return "unspecified";
  if (zeroPrefix && g5 === 0 && g6 === 0 && g7 === 1) return "loopback";
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry
  // an IPv4 address that is judged as such: ::ffff:127.0.0.1 is loopback.
  if (zeroPrefix && (g5 === 0xffff || g5 === 0)) return classifyV4(v4(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyV4(v4(g6, g7));
  if (g0 === 0x2002) return classifyV4(v4(g1, g2)); // 6to4 embeds the IPv4 address in bits 16-47
  if ((g0 & 0xfe00) === 0xfc00) return "private"; // fc00::/7 unique local
  if ((g0 & 0xffc0) === 0xfe80) return "link-local"; // fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return "private"; // fec0::/10 site-local (deprecated)
  if ((g0 & 0xff00) === 0xff00) return "multicast";
  if (g0 === 0x2001 && g1 === 0x0db8) return "reserved"; // documentation
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return "reserved"; // discard-only 100::/64
  return null;
}

/** Classifies an IP address; null means public. Anything that is not an IP address is "reserved". */
export function classifyAddress(ip: string): AddressClass | null {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  const family = isIP(bare.split("%")[0]!);
  if (family === 4) return classifyV4(parseV4(bare)!);
  if (family === 6) {
    const groups = parseV6(bare);
    return groups ? classifyV6(groups) : "reserved";
  }
  return "reserved";
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
export async function checkWebhookTarget(
  raw: string,
  opts: { allowedHosts: readonly string[]; timeoutMs: number },
): Promise<CheckedTarget> {
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
export async function validateWebhookUrl(
  raw: string,
  config: Pick<Config, "WEBHOOK_ALLOWED_HOSTS" | "WEBHOOK_TIMEOUT_MS">,
): Promise<void> {
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
  return new WebhookTargetError(
    `webhookUrl host "${url.hostname}"${via} is a ${cls} address; webhooks may only target public addresses unless WEBHOOK_ALLOWED_HOSTS names the host`,
  );
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
