/** Which peers the API believes X-Forwarded-Proto/-For from (TRUSTED_PROXIES): pure logic, no services. */
import { describe, expect, test } from "vitest";
import { isTrustedPeer } from "../../api/forwarded.js";

describe("trusted proxies", () => {
  test.each([
    ["127.0.0.1", ["127.0.0.1"], true],
    ["127.0.0.2", ["127.0.0.1"], false],
    ["127.0.0.2", ["127.0.0.0/8"], true],
    ["10.1.2.3", ["127.0.0.1", "10.0.0.0/8"], true],
    ["11.0.0.1", ["10.0.0.0/8"], false],
    ["192.168.1.77", ["192.168.1.64/27"], true],
    ["192.168.1.96", ["192.168.1.64/27"], false],
    ["203.0.113.9", ["0.0.0.0/0"], true],
    ["127.0.0.1", [], false],
    ["::1", ["127.0.0.1"], false],
    ["fe80::1", ["0.0.0.0/0"], false],
    [undefined, ["0.0.0.0/0"], false],
    ["127.0.0.1.evil", ["127.0.0.1"], false],
    ["300.0.0.1", ["0.0.0.0/0"], false],
  ] as const)("a request from %s with TRUSTED_PROXIES=%j is believed: %s", (peer, trusted, expected) => {
    expect(isTrustedPeer(peer, trusted)).toBe(expected);
  });
});
