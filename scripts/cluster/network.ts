/**
 * The local swarm's network: one host bridge (cvg-br0, 198.18.0.1/24) and, per node, a network
 * namespace joined to it by a veth pair, so each node's engine has an address of its own the way a
 * separate host would. Only links, namespaces and iptables rules named/commented `cvg-` and recorded
 * in the state are ever created or removed.
 */
import { existsSync } from "node:fs";
import { BRIDGE, CLUSTER, MANAGER_IP, PREFIX_LEN, SUBNET_PREFIX, nodeIp, type ClusterState, type IptablesRule } from "./state.js";
import { run, succeeds } from "./sys.js";

const linkExists = (name: string) => succeeds("ip", ["link", "show", "dev", name]);

interface IpAddr {
  ifname: string;
  addr_info: Array<{ family: string; local: string; prefixlen: number }>;
}

async function addresses(netns?: string): Promise<IpAddr[]> {
  const args = netns ? ["-n", netns, "-j", "addr", "show"] : ["-j", "addr", "show"];
  return JSON.parse(await run("ip", args)) as IpAddr[];
}

export async function ensureBridge(state: ClusterState): Promise<void> {
  if (!(await linkExists(BRIDGE))) {
    // Refuse to shadow a subnet someone else uses on this host.
    const clash = (await addresses()).find((a) => a.addr_info.some((i) => i.family === "inet" && i.local.startsWith(SUBNET_PREFIX)));
    if (clash) throw new Error(`${SUBNET_PREFIX}0/24 is already used by interface ${clash.ifname}; the local swarm needs it for ${BRIDGE}`);
    await run("ip", ["link", "add", BRIDGE, "type", "bridge"]);
    state.bridge = { name: BRIDGE, created: true };
  } else {
    state.bridge ??= { name: BRIDGE, created: false };
  }
  const own = (await addresses()).find((a) => a.ifname === BRIDGE);
  if (!own?.addr_info.some((i) => i.local === MANAGER_IP)) await run("ip", ["addr", "add", `${MANAGER_IP}/${PREFIX_LEN}`, "dev", BRIDGE]);
  await run("ip", ["link", "set", BRIDGE, "up"]);
}

export async function removeBridge(state: ClusterState): Promise<void> {
  if (state.bridge?.created && (await linkExists(BRIDGE))) await run("ip", ["link", "del", BRIDGE]);
  delete state.bridge;
}

/**
 * With br_netfilter loaded (Docker loads it), frames between two ports of a bridge traverse the
 * host's FORWARD chain, whose policy Docker sets to DROP: node-to-node traffic (swarm gossip,
 * overlay VXLAN) needs this one rule. Node-to-host traffic (the manager, the registry, the master)
 * is INPUT, not FORWARD.
 */
const forwardRule: IptablesRule = {
  table: "filter",
  chain: "FORWARD",
  spec: ["-i", BRIDGE, "-o", BRIDGE, "-m", "comment", "--comment", `${CLUSTER}-cluster`, "-j", "ACCEPT"],
};

export async function ensureIptables(state: ClusterState): Promise<void> {
  for (const rule of [forwardRule]) {
    const exists = await succeeds("iptables", ["-t", rule.table, "-C", rule.chain, ...rule.spec]);
    if (!exists) await run("iptables", ["-t", rule.table, "-I", rule.chain, "1", ...rule.spec]);
    if (!state.iptables.some((r) => JSON.stringify(r) === JSON.stringify(rule))) state.iptables.push(rule);
  }
}

export async function removeIptables(state: ClusterState): Promise<void> {
  for (const rule of state.iptables) {
    while (await succeeds("iptables", ["-t", rule.table, "-C", rule.chain, ...rule.spec])) {
      await run("iptables", ["-t", rule.table, "-D", rule.chain, ...rule.spec]);
    }
  }
  state.iptables = [];
}

export const netnsPath = (netns: string) => `/run/netns/${netns}`;

/** Node n's namespace with `eth0` = nodeIp(n)/24 on the bridge and a default route via the host. */
export async function ensureNodeNetwork(n: number): Promise<{ netns: string; vethHost: string; address: string }> {
  const netns = `${CLUSTER}-n${n}`;
  const vethHost = `${CLUSTER}-n${n}h`;
  const vethNode = `${CLUSTER}-n${n}c`;
  const address = nodeIp(n);
  if (!existsSync(netnsPath(netns))) await run("ip", ["netns", "add", netns]);
  if (!(await linkExists(vethHost))) {
    await run("ip", ["link", "add", vethHost, "type", "veth", "peer", "name", vethNode]);
    await run("ip", ["link", "set", vethNode, "netns", netns]);
    await run("ip", ["-n", netns, "link", "set", vethNode, "name", "eth0"]);
  }
  await run("ip", ["link", "set", vethHost, "master", BRIDGE, "up"]);
  await run("ip", ["-n", netns, "link", "set", "lo", "up"]);
  const inside = await addresses(netns);
  if (!inside.find((a) => a.ifname === "eth0")?.addr_info.some((i) => i.local === address)) {
    await run("ip", ["-n", netns, "addr", "add", `${address}/${PREFIX_LEN}`, "dev", "eth0"]);
  }
  await run("ip", ["-n", netns, "link", "set", "eth0", "up"]);
  await run("ip", ["-n", netns, "route", "replace", "default", "via", MANAGER_IP]);
  return { netns, vethHost, address };
}

export async function removeNodeNetwork(netns: string, vethHost: string): Promise<void> {
  if (await linkExists(vethHost)) await run("ip", ["link", "del", vethHost]);
  if (existsSync(netnsPath(netns))) await run("ip", ["netns", "del", netns]);
}
