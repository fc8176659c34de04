/**
 * The tenants' firewall: iptables rules for the one bridge all of a platform instance's tenants
 * share. Installed idempotently, re-applied at will (after a firewall flush, a reboot, a dockerd
 * restart), removed with the network. Only DockerRuntime uses it; nothing else knows it exists.
 *
 * Two chains per bridge, because a packet from a container goes one of two ways:
 * - to another address (another tenant, another network, the LAN, the internet) it is forwarded:
 *   FORWARD → DOCKER-USER (Docker jumps there first, and keeps that jump across restarts)
 *   → `<BRIDGE>-FWD`;
 * - to an address of the host itself (the bridge's gateway, docker0, eth0, a dummy interface) it
 *   is delivered locally: INPUT → `<BRIDGE>-IN`. DOCKER-USER never sees it.
 *
 * Replies to connections made TO a tenant (health probes, Caddy and docker-proxy on published
 * ports all connect from the host) are let through first, by conntrack.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";

export type TenantEgress = "public" | "none";

export interface FirewallSpec {
  /** Linux name of the tenants' bridge. */
  bridge: string;
  /** The host's address on that bridge: what host.docker.internal resolves to in a tenant. */
  gateway: string;
  /** TCP ports on the gateway tenants may open: the master's API (several API processes may share an owner). */
  masterPorts: number[];
  egress: TenantEgress;
  /** Destinations tenants may never reach, on top of `blockedRanges`. */
  deny: string[];
  /** Resolvers Docker's embedded DNS forwards to from inside a tenant: reachable on port 53, `public` only. */
  dnsServers: string[];
}

/**
 * Never reachable from a tenant: "this network", private (RFC 1918, which holds every Docker
 * default address pool), CGNAT, loopback, link-local (169.254.169.254, the cloud metadata
 * service, included), benchmarking (RFC 2544: lab networks, such as the local swarm's), multicast
 * and reserved.
 */
export const blockedRanges = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "224.0.0.0/4",
  "240.0.0.0/4",
] as const;

export const chainNames = (bridge: string) => ({
  forward: `${bridge.toUpperCase()}-FWD`,
  input: `${bridge.toUpperCase()}-IN`,
});

/** Installs or refreshes every rule for `spec.bridge`; safe to run any number of times, from several processes. */
export async function applyFirewall(spec: FirewallSpec): Promise<void> {
  const { forward, input } = chainNames(spec.bridge);
  if (!(await chainExists("DOCKER-USER"))) {
    throw new Error("iptables chain DOCKER-USER is missing: is dockerd running with its iptables integration on?");
  }

  // The forward chain depends only on the spec: replaced whole, atomically (declaring a chain in
  // `iptables-restore --noflush` flushes just that chain), so there is never a moment without it.
  await restore([`:${forward} - [0:0]`, ...forwardRules(spec).map((r) => `-A ${forward} ${r}`)]);

  // The input chain accumulates master ports from every process sharing the owner (test stacks
  // run their API on random ports): rules are added one by one, never rebuilt, so two processes
  // applying at once cannot drop each other's port. The final DROP stays last because ports and
  // the conntrack rule are inserted at the top.
  const established = "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT";
  const portRule = (p: number) => `-d ${spec.gateway}/32 -p tcp -m tcp --dport ${p} -j ACCEPT`;
  if (!(await chainExists(input))) {
    await restore([`:${input} - [0:0]`, `-A ${input} ${established}`, ...spec.masterPorts.map((p) => `-A ${input} ${portRule(p)}`), `-A ${input} -j DROP`]);
  } else {
    for (const p of spec.masterPorts) await ensureRule(input, portRule(p), "top");
    await ensureRule(input, established, "top");
    await ensureRule(input, "-j DROP", "bottom");
  }

  await ensureRule("DOCKER-USER", `-i ${spec.bridge} -j ${forward}`, "top");
  await ensureRule("DOCKER-USER", `-o ${spec.bridge} -j ${forward}`, "top");
  await ensureRule("INPUT", `-i ${spec.bridge} -j ${input}`, "top");
}

/** Removes the jumps and both chains of `bridge`; a no-op for what is already gone. */
export async function removeFirewall(bridge: string): Promise<void> {
  const { forward, input } = chainNames(bridge);
  const jumps: Array<[string, string]> = [
    ["DOCKER-USER", `-i ${bridge} -j ${forward}`],
    ["DOCKER-USER", `-o ${bridge} -j ${forward}`],
    ["INPUT", `-i ${bridge} -j ${input}`],
  ];
  for (const [chain, rule] of jumps) {
    // Two processes racing through ensureRule may each have inserted a jump: delete them all.
    while (
      await iptables(["-D", chain, ...rule.split(" ")]).then(
        () => true,
        () => false,
      )
    );
  }
  for (const chain of [forward, input]) {
    if (!(await chainExists(chain))) continue;
    await iptables(["-F", chain]);
    await iptables(["-X", chain]);
  }
}

function forwardRules(spec: FirewallSpec): string[] {
  const rules = [
    "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    // A published port reached from another interface (TENANT_BIND_HOST=0.0.0.0) arrives
    // DNAT-ed by Docker; Docker's own chains then admit only the published port.
    `-o ${spec.bridge} -m conntrack --ctstate DNAT -j RETURN`,
    // Nothing else new is forwarded to a tenant: not from another tenant on the bridge (Docker's
    // enable_icc=false says the same; this holds even if someone flips it), nor from another
    // network, nor from a LAN host routing to the tenant's address directly.
    `-o ${spec.bridge} -j DROP`,
  ];
  if (spec.egress === "public") {
    for (const dns of spec.dnsServers) {
      for (const proto of ["udp", "tcp"]) rules.push(`-d ${withMask(dns)} -p ${proto} -m ${proto} --dport 53 -j RETURN`);
    }
  }
  for (const range of [...blockedRanges, ...spec.deny]) rules.push(`-d ${withMask(range)} -j DROP`);
  // RETURN hands the packet back to Docker's own chains (which accept a container's outbound traffic).
  rules.push(spec.egress === "none" ? "-j DROP" : "-j RETURN");
  return rules;
}

/** The IPv4 resolvers of the host (Docker's embedded DNS forwards tenants' queries to them). */
export function hostResolvers(file = "/etc/resolv.conf"): string[] {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return (
    [...text.matchAll(/^\s*nameserver\s+(\d{1,3}(?:\.\d{1,3}){3})\s*$/gm)]
      .map((m) => m[1]!)
      // Loopback resolvers are dialled by dockerd from the host's own namespace: no rule needed.
      .filter((ip) => !ip.startsWith("127."))
  );
}

const withMask = (cidr: string) => (cidr.includes("/") ? cidr : `${cidr}/32`);

async function ensureRule(chain: string, rule: string, where: "top" | "bottom"): Promise<void> {
  const args = rule.split(" ");
  const present = await iptables(["-C", chain, ...args]).then(
    () => true,
    () => false,
  );
  if (present) return;
  await iptables(where === "top" ? ["-I", chain, "1", ...args] : ["-A", chain, ...args]);
}

async function chainExists(chain: string): Promise<boolean> {
  return iptables(["-S", chain]).then(
    () => true,
    () => false,
  );
}

function iptables(args: string[]): Promise<string> {
  return run("iptables", ["-w", "5", "-t", "filter", ...args]);
}

function restore(lines: string[]): Promise<string> {
  return run("iptables-restore", ["-w", "5", "--noflush"], ["*filter", ...lines, "COMMIT", ""].join("\n"));
}

function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 15_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(" ")} failed: ${String(stderr).trim() || err.message}`, { cause: err }));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}
