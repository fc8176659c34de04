/**
 * Configuration that refuses nonsense (shared/config.ts): an empty number, a negative count, a
 * port out of range or an address range that is not one is an error that names the variable,
 * and a process refuses to start. No services.
 */
import { describe, expect, it } from "vitest";
import { anyCidr, ConfigError, isIpv4Cidr, parseConfig } from "../../shared/config.js";

const base = {
  DATABASE_URL: "postgres://u:p@127.0.0.1:5432/db",
  REDIS_URL: "redis://127.0.0.1:6379",
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
};

/** The error message parseConfig throws for this environment (on top of a valid one). */
function refusal(env: Record<string, string>): string {
  try {
    parseConfig({ ...base, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe("numbers from the environment", () => {
  it("takes the defaults when nothing is set", () => {
    const c = parseConfig({ ...base });
    expect(c.PORT).toBe(3000);
    expect(c.WORKER_CONCURRENCY).toBe(10);
    expect(c.SESSION_MAX_AGE_SECONDS).toBe(12 * 3600);
    expect(c.TRUSTED_PROXIES).toEqual(["127.0.0.1/32"]);
  });

  it("reads what is set", () => {
    const c = parseConfig({ ...base, PORT: "8080", HEALTH_INTERVAL_MS: " 250 ", TENANT_CPUS: "1.5", OPS_PORT: "0" });
    expect([c.PORT, c.HEALTH_INTERVAL_MS, c.TENANT_CPUS, c.OPS_PORT]).toEqual([8080, 250, 1.5, 0]);
  });

  it.each([
    ["PORT", "", /PORT: must be a number, and is empty/],
    ["PORT", "  ", /PORT: must be a number, and is empty/],
    ["PORT", "abc", /PORT: must be a number, not "abc"/],
    ["PORT", "0", /PORT: .*>=1/],
    ["PORT", "70000", /PORT: .*<=65535/],
    ["PORT", "30.5", /PORT: must be a whole number, not "30.5"/],
    ["WORKER_CONCURRENCY", "-1", /WORKER_CONCURRENCY: must not be negative/],
    ["HEALTH_INTERVAL_MS", "", /HEALTH_INTERVAL_MS: must be a number, and is empty/],
    ["SESSION_MAX_AGE_SECONDS", "", /SESSION_MAX_AGE_SECONDS: must be a number/],
    ["JWT_KEY_OVERLAP_SECONDS", "", /JWT_KEY_OVERLAP_SECONDS: must be a number/],
    ["TENANT_CPUS", "-0.5", /TENANT_CPUS: /],
    ["ORG_MAX_TENANTS", "0", /ORG_MAX_TENANTS: .*>=1/],
    ["DEADLINE_PENDING_MS", "-60000", /DEADLINE_PENDING_MS: must not be negative/],
  ])("%s=%j is refused, naming the variable", (name, value, message) => {
    expect(refusal({ [name]: value })).toMatch(message);
  });
});

describe("address ranges are checked as CIDRs (ipaddr.js)", () => {
  it.each([
    ["TRUSTED_PROXIES", "300.1.1.1/40"],
    ["TRUSTED_PROXIES", "10.0.0.0/33"],
    ["TRUSTED_PROXIES", "fd00::/129"],
    ["TRUSTED_PROXIES", "10.0.0.0/8/8"],
    ["TRUSTED_PROXIES", "localhost"],
    ["TENANT_EGRESS_DENY", "300.1.1.1/40"],
    ["TENANT_EGRESS_DENY", "192.168.1.0/24,10.1"],
    ["TENANT_EGRESS_DENY", "fd00::/8"],
    ["TENANT_DNS_SERVERS", "999.9.9.9"],
    ["SWARM_TRUSTED_SOURCES", "10.0.0.256/24"],
    ["SWARM_MASTER_ADDRESS", "300.1.1.1"],
    ["TENANT_NETWORK_SUBNET", "300.201.0.0/16"],
  ])("%s=%s is refused, naming the variable", (name, value) => {
    expect(refusal({ [name]: value })).toMatch(new RegExp(`^  ${name}: `, "m"));
  });

  it("names the entries that are wrong", () => {
    expect(refusal({ TENANT_EGRESS_DENY: "192.168.1.0/24, 300.1.1.1/40" })).toContain('not "300.1.1.1/40"');
  });

  it("accepts real ranges and bare addresses, IPv6 where the variable allows it", () => {
    const c = parseConfig({
      ...base,
      TRUSTED_PROXIES: "10.0.0.0/8, fd00::/8, ::1, 192.0.2.7",
      TENANT_EGRESS_DENY: "198.51.100.0/24,203.0.113.9",
      TENANT_DNS_SERVERS: "9.9.9.9",
      SWARM_MASTER_ADDRESS: "198.18.0.1",
    });
    expect(c.TRUSTED_PROXIES).toEqual(["10.0.0.0/8", "fd00::/8", "::1/128", "192.0.2.7/32"]);
    expect(c.TENANT_EGRESS_DENY).toEqual(["198.51.100.0/24", "203.0.113.9"]);
  });

  it.each([
    ["10.0.0.0/8", true],
    ["0.0.0.0/0", true],
    ["255.255.255.255", true],
    ["300.1.1.1/40", false],
    ["1.2.3.4/", false],
    ["01.2.3.4", false],
    ["0x7f.0.0.1", false],
    ["127.1", false],
    ["::1", false],
  ])("isIpv4Cidr(%s) is %s", (s, ok) => {
    expect(isIpv4Cidr(s)).toBe(ok);
  });

  it.each([
    ["fe80::1/64", "fe80::1/64"],
    ["2001:db8::", "2001:db8::/128"],
    ["10.1.2.3", "10.1.2.3/32"],
    ["::ffff:1.2.3.4/200", null],
    ["gggg::1", null],
  ])("anyCidr(%s) is %s", (s, normalised) => {
    expect(anyCidr(s)).toBe(normalised);
  });
});
