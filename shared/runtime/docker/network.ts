/**
 * The tenants' network on a Docker engine: ONE bridge per platform instance (owner) that every
 * tenant of that owner joins, with inter-container communication off, an explicit subnet and a
 * fixed bridge name, plus the firewall rules of ./firewall.ts. Why not one network per tenant:
 * see docs/networking.md. Only DockerRuntime uses this module.
 */
import type Docker from "dockerode";
import { createHash } from "node:crypto";
import { applyFirewall, removeFirewall, type TenantEgress } from "../firewall.js";
import { labelKeys } from "../types.js";

export interface TenantNetworkOptions {
  /** IPv4 CIDR the bridge takes its addresses from; must not overlap another network on the engine. */
  subnet: string;
  egress: TenantEgress;
  /** The master's API ports on the host: the only host ports a tenant may open. */
  masterPorts: number[];
  /** Extra CIDRs tenants may never reach. */
  deny: string[];
  /** Resolvers reachable on port 53 under `public` egress. */
  dnsServers: string[];
  /**
   * The tenants' host-port range. When given, each tenant gets a fixed address on the bridge
   * derived from its host port (see `tenantAddress`), so the ingress can dial the container
   * itself instead of going through docker-proxy on the published port.
   */
  portRange?: { min: number; max: number };
}

export interface TenantNetwork {
  name: string;
  bridge: string;
  subnet: string;
  /** The host's address on the bridge: tenants reach the master as host.docker.internal → this. */
  gateway: string;
}

const bridgeNameOption = "com.docker.network.bridge.name";
export const networkLabel = "io.convergence.network";

/**
 * Names derived from the owner and the subnet: the same configuration always finds the same
 * network, and a changed subnet makes a new one (the old one is removed once no container uses it).
 */
export function tenantNetwork(owner: string, subnet: string): TenantNetwork {
  const hash = createHash("sha256").update(`${owner}\n${subnet}`).digest("hex").slice(0, 8);
  return { name: `${owner}-tenants-${hash}`, bridge: `cvg-${hash}`, subnet, gateway: firstHost(subnet) };
}

/**
 * A tenant's fixed address on the bridge: the gateway's + 1 + (host port − range min), or null
 * for a port outside the range or a subnet too small for it. Ports are leased to one live tenant
 * at a time and kept across restarts, re-creations and key rotations (Postgres), so the address
 * is too: an ingress route to it can never reach another tenant's app, and Docker gives it back
 * on every start, a dockerd restart included (a dynamic address could come back as a
 * neighbour's). A tenant moved to another port is re-created with the address of that port.
 */
export function tenantAddress(net: TenantNetwork, range: { min: number; max: number }, hostPort: number): string | null {
  if (!Number.isInteger(hostPort) || hostPort < range.min || hostPort > range.max) return null;
  const [addr, bits] = net.subnet.split("/") as [string, string];
  const base = toInt(addr);
  const offset = 2 + (hostPort - range.min); // .0 is the network, .1 the gateway
  if (offset >= 2 ** (32 - Number(bits)) - 1) return null; // the broadcast address and beyond
  return fromInt(base + offset);
}

/** Creates the network unless it is there (idempotent, safe under concurrent callers), then applies its rules. */
export async function ensureTenantNetwork(docker: Docker, owner: string, net: TenantNetwork, opts: TenantNetworkOptions): Promise<void> {
  const existing = await inspectNetwork(docker, net.name);
  if (existing) {
    assertOurs(existing, owner, net);
  } else {
    try {
      await docker.createNetwork({
        Name: net.name,
        Driver: "bridge",
        CheckDuplicate: true,
        Internal: false,
        EnableIPv6: false,
        IPAM: { Driver: "default", Config: [{ Subnet: net.subnet, Gateway: net.gateway }] },
        Options: {
          "com.docker.network.bridge.enable_icc": "false",
          "com.docker.network.bridge.enable_ip_masquerade": "true",
          [bridgeNameOption]: net.bridge,
        },
        Labels: { [labelKeys.owner]: owner, [networkLabel]: "tenants" },
      });
    } catch (err) {
      // Another worker created it first (409, or the fixed bridge name / subnet is taken by it).
      const raced = await inspectNetwork(docker, net.name);
      if (!raced) throw new Error(`creating Docker network ${net.name} (${net.subnet}) failed: ${messageOf(err)}`, { cause: err });
      assertOurs(raced, owner, net);
    }
  }
  await applyFirewall({
    bridge: net.bridge,
    gateway: net.gateway,
    masterPorts: opts.masterPorts,
    egress: opts.egress,
    deny: opts.deny,
    dnsServers: opts.dnsServers,
  });
}

/**
 * Removes the owner's networks that no owned container or warm network's holder (running or not) is attached to, with
 * their firewall rules; `keep` is spared, and so is a network created less than `graceMs` ago
 * (another process with another configuration may be about to attach its first container).
 * Returns the names removed.
 */
export async function removeUnusedTenantNetworks(docker: Docker, owner: string, keep: string | null, graceMs = 0): Promise<string[]> {
  const [networks, containers, holders] = await Promise.all([
    docker.listNetworks({ filters: { label: [`${labelKeys.owner}=${owner}`, `${networkLabel}=tenants`] } }),
    docker.listContainers({ all: true, filters: { label: [`${labelKeys.owner}=${owner}`] } }),
    docker.listContainers({ all: true, filters: { label: [`${labelKeys.netnsOwner}=${owner}`] } }), // warm networks' holders
  ]);
  const inUse = new Set([...containers, ...holders].flatMap((c) => Object.keys(c.NetworkSettings?.Networks ?? {})));
  const removed: string[] = [];
  for (const n of networks) {
    if (n.Name === keep || inUse.has(n.Name)) continue;
    if (Date.now() - Date.parse(n.Created) < graceMs) continue;
    try {
      await docker.getNetwork(n.Id).remove();
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 404) continue;
      // 403 "has active endpoints": a container (perhaps not ours) joined it meanwhile; leave it.
      if (status === 403 || status === 409) continue;
      throw err;
    }
    const bridge = n.Options?.[bridgeNameOption];
    if (bridge) await removeFirewall(bridge);
    removed.push(n.Name);
  }
  return removed;
}

async function inspectNetwork(docker: Docker, name: string) {
  try {
    return await docker.getNetwork(name).inspect();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
}

function assertOurs(n: { Labels?: Record<string, string>; IPAM?: { Config?: Array<{ Subnet?: string }> }; Options?: Record<string, string> }, owner: string, net: TenantNetwork) {
  const subnet = n.IPAM?.Config?.[0]?.Subnet;
  if (n.Labels?.[labelKeys.owner] !== owner || subnet !== net.subnet || n.Options?.[bridgeNameOption] !== net.bridge) {
    throw new Error(
      `Docker network ${net.name} exists but is not this platform's tenant network (owner ${n.Labels?.[labelKeys.owner]}, subnet ${subnet}, bridge ${n.Options?.[bridgeNameOption]}); remove it`,
    );
  }
}

function firstHost(cidr: string): string {
  const [addr, bits] = cidr.split("/") as [string, string];
  const n = toInt(addr);
  const mask = Number(bits) === 0 ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0;
  if ((n & mask) >>> 0 !== n) throw new Error(`${cidr} is not a network address (host bits are set)`);
  return fromInt(n + 1);
}

const toInt = (ip: string) => ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
const fromInt = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");

function messageOf(err: unknown): string {
  return (err as { json?: { message?: string } }).json?.message ?? String(err);
}
