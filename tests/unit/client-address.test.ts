/**
 * Whom a failed authentication is counted against (shared/auth/client-address.ts): the peer,
 * unless it is one of TRUSTED_PROXIES, then the client its X-Forwarded-For names; and how
 * TRUSTED_PROXIES is read. No services.
 */
import { describe, expect, it } from "vitest";
import { clientBehind, proxyList } from "../../shared/auth/client-address.js";
import { parseConfig } from "../../shared/config.js";

const proxies = proxyList(["10.0.0.0/8", "192.168.1.1/32", "fd00::/8"]);

describe("the client behind a request", () => {
  it.each([
    // peer, X-Forwarded-For, client
    ["203.0.113.9", undefined, "203.0.113.9"],
    ["203.0.113.9", "198.51.100.1", "203.0.113.9"], // not a trusted proxy: its header is ignored
    ["::ffff:203.0.113.9", "198.51.100.1", "203.0.113.9"],
    ["10.1.2.3", undefined, "10.1.2.3"],
    ["10.1.2.3", "", "10.1.2.3"],
    ["10.1.2.3", "198.51.100.1", "198.51.100.1"],
    ["::ffff:10.1.2.3", "198.51.100.1", "198.51.100.1"],
    ["10.1.2.3", "198.51.100.1, 10.9.9.9", "198.51.100.1"], // proxies are skipped from the right
    ["10.1.2.3", "6.6.6.6, 198.51.100.1, 192.168.1.1", "198.51.100.1"], // a client cannot prepend a spoofed address
    ["10.1.2.3", "198.51.100.1,2001:db8::7", "2001:db8::7"],
    ["fd12::1", "2001:db8::7", "2001:db8::7"],
    ["10.1.2.3", "10.2.2.2, 10.3.3.3", "10.2.2.2"], // all trusted: the leftmost
    ["10.1.2.3", "not-an-address", "10.1.2.3"], // garbage: the last trusted hop is the client
    ["10.1.2.3", "198.51.100.1, garbage, 10.9.9.9", "10.9.9.9"],
    ["10.1.2.3", "198.51.100.1:4711", "10.1.2.3"],
    ["192.168.1.2", "198.51.100.1", "192.168.1.2"], // next to a trusted host, not one
  ] as const)("peer %s with X-Forwarded-For %j is client %s", (peer, forwardedFor, client) => {
    expect(clientBehind(peer, forwardedFor, proxies)).toBe(client);
  });
});

describe("TRUSTED_PROXIES", () => {
  /** The least configuration that parses. */
  const env = { DATABASE_URL: "postgres://u@127.0.0.1/db", REDIS_URL: "redis://127.0.0.1:6379", ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") };
  const parse = (value: string | undefined) => parseConfig({ ...env, TRUSTED_PROXIES: value }).TRUSTED_PROXIES;

  it("is the loopback address by default (the ingress on this host); empty trusts no proxy", () => {
    expect(parse(undefined)).toEqual(["127.0.0.1/32"]);
    expect(parse("")).toEqual([]);
  });

  it("takes comma-separated IPv4 and IPv6 CIDRs, a bare address being one host", () => {
    expect(parse(" 10.0.0.0/8, 127.0.0.1 ,fd00::/8,::1,")).toEqual(["10.0.0.0/8", "127.0.0.1/32", "fd00::/8", "::1/128"]);
  });

  it.each(["10.0.0.0/33", "fd00::/129", "10.0.0/8", "10.0.0.0/8/8", "10.0.0.0/-1", "10.0.0.0/", "localhost", "10.0.0.0/8 10.1.0.0/16", "300.1.1.1"])(
    "refuses %j with a clear message",
    (value) => {
      expect(() => parse(value)).toThrow(/TRUSTED_PROXIES: must be comma-separated IPv4 or IPv6 addresses or CIDRs/);
    },
  );
});
