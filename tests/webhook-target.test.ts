/**
 * Which addresses a webhook may target, decided without any service: a table of addresses in
 * many spellings (compressed, expanded, upper case, dotted-quad tails, zone ids, brackets) and
 * the class each one is refused as, or null for a public address that is allowed.
 */
import { describe, expect, it } from "vitest";
import { checkWebhookTarget, classifyAddress } from "../shared/webhooks/target.js";

const refused: [address: string, cls: string][] = [
  // IPv4 private, loopback, link-local (metadata), CGNAT, unspecified, multicast, broadcast
  ["10.0.0.1", "private"],
  ["10.255.255.255", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["192.168.0.1", "private"],
  ["127.0.0.1", "loopback"],
  ["127.1.2.3", "loopback"],
  ["169.254.169.254", "link-local"],
  ["169.254.0.1", "link-local"],
  ["100.64.0.1", "cgnat"],
  ["100.127.255.255", "cgnat"],
  ["0.0.0.0", "unspecified"],
  ["0.1.2.3", "unspecified"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["255.255.255.255", "reserved"],
  ["240.0.0.1", "reserved"],
  // IPv4 reserved and documentation, including the 6to4 relay anycast 192.88.99.0/24
  ["192.88.99.1", "reserved"],
  ["192.88.99.255", "reserved"],
  ["192.0.0.8", "reserved"],
  ["192.0.2.1", "reserved"],
  ["198.18.0.1", "reserved"],
  ["198.51.100.7", "reserved"],
  ["203.0.113.9", "reserved"],
  // IPv6 loopback and unspecified in every spelling
  ["::1", "loopback"],
  ["0:0:0:0:0:0:0:1", "loopback"],
  ["0000:0000:0000:0000:0000:0000:0000:0001", "loopback"],
  ["[::1]", "loopback"],
  ["::", "unspecified"],
  ["0:0:0:0:0:0:0:0", "unspecified"],
  // IPv4-mapped, hex and dotted tails, expanded, upper case
  ["::ffff:127.0.0.1", "loopback"],
  ["::FFFF:127.0.0.1", "loopback"],
  ["::ffff:7f00:1", "loopback"],
  ["0:0:0:0:0:ffff:7f00:0001", "loopback"],
  ["0000:0000:0000:0000:0000:FFFF:A9FE:A9FE", "link-local"],
  ["::ffff:169.254.169.254", "link-local"],
  ["::ffff:10.0.0.1", "private"],
  ["::ffff:a00:1", "private"],
  ["::ffff:192.168.1.1", "private"],
  ["[::ffff:172.17.0.1]", "private"],
  // IPv4-compatible (deprecated) and IPv4-translated: refused whatever they carry
  ["::10.0.0.1", "reserved"],
  ["::8.8.8.8", "reserved"],
  ["::ffff:0:8.8.8.8", "reserved"],
  // NAT64 well-known prefix embedding a non-public IPv4
  ["64:ff9b::10.0.0.1", "private"],
  ["64:ff9b::a00:1", "private"],
  ["64:FF9B:0:0:0:0:7F00:1", "loopback"],
  ["64:ff9b::169.254.169.254", "link-local"],
  // local-use NAT64, Teredo and 6to4: tunnels, refused whatever they carry
  ["64:ff9b:1::1", "transition"],
  ["64:ff9b:1::8.8.8.8", "transition"],
  ["64:ff9b:1:ffff::1", "transition"],
  ["2001::1", "transition"],
  ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "transition"],
  ["2001:0000:ffff::1", "transition"],
  ["2002::1", "transition"],
  ["2002:0808:0808::1", "transition"], // 6to4 of a public 8.8.8.8 is refused too
  ["2002:7f00:1::1", "transition"],
  ["2002:a9fe:a9fe::", "transition"],
  ["2002:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", "transition"],
  // benchmarking 2001:2::/48, deprecated ORCHID 2001:10::/28, documentation, discard
  ["2001:2::1", "reserved"],
  ["2001:2:0:ffff::1", "reserved"],
  ["2001:10::1", "reserved"],
  ["2001:1f:ffff::1", "reserved"],
  ["2001:db8::1", "reserved"],
  ["100::1", "reserved"],
  // IPv6 unique local, site-local, link-local with zone ids, multicast
  ["fc00::1", "private"],
  ["fdff:ffff::1", "private"],
  ["FD12:3456:789A::1", "private"],
  ["fec0::1", "private"],
  ["fe80::1", "link-local"],
  ["fe80::1%eth0", "link-local"],
  ["FE80::ABCD%25", "link-local"],
  ["febf::1", "link-local"],
  ["ff02::1", "multicast"],
  ["ff05::1:3", "multicast"],
  // not an IP address in a standard spelling
  ["not-an-ip", "reserved"],
  ["", "reserved"],
  ["0x7f.0.0.1", "reserved"],
  ["2130706433", "reserved"],
  ["0177.0.0.1", "reserved"],
  ["127.1", "reserved"],
  ["1.2.3.4.5", "reserved"],
  ["::ffff:127.0.0.256", "reserved"],
  [":::1", "reserved"],
];

const allowed = [
  "8.8.8.8",
  "1.1.1.1",
  "172.32.0.1",
  "172.15.255.255",
  "100.128.0.1",
  "100.63.255.255",
  "192.169.0.1",
  "192.88.98.255",
  "192.88.100.0",
  "169.253.255.255",
  "223.255.255.255",
  "2001:4860:4860::8888",
  "2001:4860:4860:0:0:0:0:8888",
  "2606:4700:4700::1111",
  "2A00:1450:4001:80B::200E",
  "2003::1", // just past 6to4
  "2001:200::1", // just past 2001::/23
  "::ffff:8.8.8.8",
  "::FFFF:0808:0808",
  "64:ff9b::8.8.8.8", // NAT64 of a public address is as public as the address
  "64:ff9b::808:808",
  "[2001:4860:4860::8888]",
];

describe("webhook target addresses", () => {
  it.each(refused)("%s is refused as %s", (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  it.each(allowed)("%s is a public address a webhook may target", (address) => {
    expect(classifyAddress(address)).toBeNull();
  });

  it("a URL naming a tunnel or benchmarking address is refused without contacting it, in whatever spelling the URL uses", async () => {
    const opts = { allowedHosts: [], timeoutMs: 2000 };
    for (const url of [
      "http://[2001::1]/hook",
      "http://[2001:0000:4136:e378:8000:63bf:3fff:fdd2]:8080/",
      "https://[2002:0a00:0001::]/x",
      "http://[64:ff9b:1::a00:1]/",
      "http://[64:ff9b::127.0.0.1]/",
      "http://[2001:2::1]/",
      "http://[2001:10::1]/",
      "http://192.88.99.1/",
      "http://0300.0130.0143.01/", // octal for 192.88.99.1: the URL parser makes it a dotted quad
      "http://[::FFFF:7F00:1]/",
    ]) {
      await expect(checkWebhookTarget(url, opts), url).rejects.toThrow(/is a (transition|reserved|loopback|private) address/);
    }
    await expect(checkWebhookTarget("http://[64:ff9b::8.8.8.8]/", opts)).resolves.toMatchObject({ addresses: [] });
  });
});
