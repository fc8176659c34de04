/**
 * Who the client of a request is, for counting failed authentications: the peer's address, or,
 * when the peer is one of TRUSTED_PROXIES, the address its X-Forwarded-For names. Read from the
 * right, as each proxy appends the address it was reached from: the first address that is not
 * itself a trusted proxy is the client. What an untrusted peer sends in X-Forwarded-For is ignored,
 * so a client cannot choose whom its failures are counted against.
 */
import { BlockList, isIP } from "node:net";

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) as the IPv4 address it is; anything else as given. */
export function plainAddress(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
}

const lists = new WeakMap<readonly string[], BlockList>();

/** TRUSTED_PROXIES (addresses or `address/prefix`, IPv4 or IPv6) as a BlockList, built once per list. */
export function proxyList(cidrs: readonly string[]): BlockList {
  let list = lists.get(cidrs);
  if (!list) {
    list = new BlockList();
    for (const cidr of cidrs) {
      const [address = "", prefix] = cidr.split("/");
      const family = isIP(address);
      if (family === 0) continue; // the config refuses these; a list built elsewhere trusts nothing for them
      list.addSubnet(address, prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix), family === 6 ? "ipv6" : "ipv4");
    }
    lists.set(cidrs, list);
  }
  return list;
}

/** Whether `address` (an IP address; anything else is not) is in `proxies`. */
export function isTrustedAddress(proxies: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && proxies.check(address, family === 6 ? "ipv6" : "ipv4");
}

/**
 * The client behind `peer`: `peer` itself unless it is a trusted proxy; then the rightmost address
 * of `forwardedFor` that is not a trusted proxy (or the leftmost one when all are). An entry that is
 * not an IP address ends the walk: the last proxy that was trusted to tell is taken as the client.
 */
export function clientBehind(peer: string, forwardedFor: string | undefined, proxies: BlockList): string {
  let client = plainAddress(peer);
  if (!forwardedFor || !isTrustedAddress(proxies, client)) return client;
  const hops = forwardedFor.split(",").map((hop) => plainAddress(hop.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return client;
    client = hop;
    if (!isTrustedAddress(proxies, hop)) return client;
  }
  return client;
}
