/**
 * Tenant isolation on Swarm: the platform's rule "no tenant can open a connection to another
 * tenant" (and the egress rules) enforced on every node by a **node agent**, a global service with
 * one task per node that may run tenants. Only SwarmRuntime uses this module.
 *
 * Why rules on the nodes and not a network per tenant: a tenant's port is published in host mode on
 * every interface of its node, so any container that can reach a node's address can reach the
 * tenants on it, whatever overlay it sits on (checked on the local swarm: from a tenant, another
 * tenant answered through its node's address, through the node's bridge gateway, through another
 * node's address, and by container address on the node's bridge). Only a firewall on each node
 * closes those paths, and only something running on each node can install it: the manager's API
 * cannot reach a worker node's iptables. See docs/swarm.md, "Swarm vs plain Docker".
 *
 * Tenants run on each node's default bridge (`docker0`; the node engines run with `icc` off). The
 * agent's rules, in two chains per configuration hung off DOCKER-USER and INPUT for that bridge:
 * - to a tenant: replies, and new connections that Docker DNAT-ed for a published port *from a
 *   trusted source* (the workers and the ingress: the master's address unless configured); nothing
 *   else, so neither another tenant (same node, another node) nor the outside reaches a tenant's
 *   port directly;
 * - from a tenant: the master's API ports on the master's address, DNS (egress `public`), then
 *   private, loopback, link-local, CGNAT, benchmarking, multicast and reserved ranges, the deny list
 *   and the rest of the master's address are dropped; the rest goes out under `public`;
 * - to the node itself (INPUT from the bridge): replies only.
 */
import type Docker from "dockerode";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { projectRoot } from "../../config.js";
import { blockedRanges, type TenantEgress } from "../firewall.js";

export interface SwarmNetworkOptions {
  egress: TenantEgress;
  /** The master's API ports: the only ports of the master's address a tenant may open. */
  masterPorts: number[];
  /** Extra CIDRs tenants may never reach. */
  deny: string[];
  /** Resolvers tenants may reach on port 53 under `public` egress. */
  dnsServers: string[];
  /** Where new connections to tenants' published ports may come from (workers, the ingress); empty = the master's address. */
  trustedSources: string[];
}

/** The bridge tenants' tasks join on each node (a service without networks gets the default bridge). */
export const TENANT_BRIDGE = "docker0";
export const AGENT_LABEL = "io.convergence.node-agent";
const CONFIG_LABEL = "io.convergence.node-agent.config";
const PORTS_LABEL = "io.convergence.node-agent.master-ports";
const AGENT_DIR = join(projectRoot, "shared", "runtime", "swarm", "node-agent");

export const agentServiceName = (owner: string) => `${owner}-node-agent`;

export interface AgentRules {
  /** Every chain of this owner's agents starts with it (stale ones are found by it). */
  prefix: string;
  chains: Record<string, string[]>;
  jumps: Array<{ chain: string; rule: string }>;
  intervalMs: number;
}

const hash = (s: string, n = 6) => createHash("sha256").update(s).digest("hex").slice(0, n);
const withMask = (cidr: string) => (cidr.includes("/") ? cidr : `${cidr}/32`);

/** The rules every node runs for this owner; chain names carry a hash of the content. */
export function nodeAgentRules(owner: string, net: SwarmNetworkOptions & { masterAddress: string }): AgentRules {
  const master = withMask(net.masterAddress);
  const trusted = net.trustedSources.length ? net.trustedSources : [net.masterAddress];
  const toTenants = [
    "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    ...trusted.map((src) => `-o ${TENANT_BRIDGE} -s ${withMask(src)} -m conntrack --ctstate DNAT -j RETURN`),
    `-o ${TENANT_BRIDGE} -j DROP`,
  ];
  const fromTenants = [
    ...[...new Set(net.masterPorts)].sort((a, b) => a - b).map((p) => `-d ${master} -p tcp -m tcp --dport ${p} -j RETURN`),
    ...(net.egress === "public" ? net.dnsServers.flatMap((d) => ["udp", "tcp"].map((p) => `-d ${withMask(d)} -p ${p} -m ${p} --dport 53 -j RETURN`)) : []),
    `-d ${master} -j DROP`,
    ...[...blockedRanges, ...net.deny].map((r) => `-d ${withMask(r)} -j DROP`),
    net.egress === "public" ? "-j RETURN" : "-j DROP",
  ];
  const input = ["-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "-j DROP"];
  const prefix = `CVG${hash(owner)}`;
  const id = hash(JSON.stringify([toTenants, fromTenants, input]));
  const fwd = `${prefix}-${id}-F`;
  const inp = `${prefix}-${id}-I`;
  return {
    prefix,
    chains: { [fwd]: [...toTenants, ...fromTenants], [inp]: input },
    jumps: [
      { chain: "DOCKER-USER", rule: `-i ${TENANT_BRIDGE} -j ${fwd}` },
      { chain: "DOCKER-USER", rule: `-o ${TENANT_BRIDGE} -j ${fwd}` },
      { chain: "INPUT", rule: `-i ${TENANT_BRIDGE} -j ${inp}` },
    ],
    intervalMs: 5_000,
  };
}

export interface NodeAgentDeps {
  docker: Docker;
  owner: string;
  constraints: string[];
  /** The agent's image as every node pulls it (`registry/repo@sha256:…`), built from agentBuildContext(). */
  image(): Promise<string>;
  /** Read-modify-write of a service spec, retried on version conflicts. */
  updateSpec(name: string, change: (spec: Docker.ServiceSpec) => Docker.ServiceSpec): Promise<void>;
  readyTimeoutMs: number;
}

type ServiceLike = { ID: string; Spec: Docker.ServiceSpec };
type TaskLike = { NodeID?: string; DesiredState: string; Status: { State: string; Err?: string } };
type NodeLike = { ID: string; Status?: { State?: string } };

/**
 * Makes the owner's node agent run the rules for `net` on every node Swarm may place tenants on,
 * and returns once each of those nodes reports it healthy (rules in place). Master ports accumulate:
 * several API processes of one instance may listen on different ports. Cheap when nothing changed.
 */
export async function ensureNodeAgent(deps: NodeAgentDeps, net: SwarmNetworkOptions & { masterAddress: string }): Promise<void> {
  const name = agentServiceName(deps.owner);
  const existing = await inspectService(deps.docker, name);
  const ports = new Set(net.masterPorts);
  for (const p of (existing?.Spec.Labels?.[PORTS_LABEL] ?? "").split(",").filter(Boolean)) ports.add(Number(p));
  const rules = nodeAgentRules(deps.owner, { ...net, masterPorts: [...ports] });
  const image = await deps.image();
  const config = hash(JSON.stringify([rules, image, deps.constraints]), 12);
  if (existing?.Spec.Labels?.[CONFIG_LABEL] !== config) {
    const spec = agentSpec(
      deps,
      name,
      image,
      rules,
      config,
      [...ports].sort((a, b) => a - b),
    );
    if (!existing) {
      try {
        await deps.docker.createService(spec);
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 409) throw err; // another worker made it meanwhile
        await deps.updateSpec(name, () => spec);
      }
    } else {
      await deps.updateSpec(name, (current) => ({ ...spec, Mode: current.Mode }));
    }
  }
  const protectedNodes = await waitAgentReady(deps, name);
  await labelNodes(deps, protectedNodes);
}

/**
 * The node label tenants are constrained to: set on a node once its agent reported the rules in
 * place there, so Swarm never places a tenant on a node (one that just joined, say) before that.
 * Never removed while the agent runs: Swarm would evict the tenants of a node that stops matching.
 */
export const protectedNodeLabel = (owner: string) => `${AGENT_LABEL}.${owner}`;
export const protectedNodeConstraint = (owner: string) => `node.labels.${protectedNodeLabel(owner)}==true`;

async function labelNodes(deps: NodeAgentDeps, nodeIds: string[]): Promise<void> {
  const key = protectedNodeLabel(deps.owner);
  for (const id of nodeIds) {
    for (let attempt = 0; ; attempt++) {
      const node = (await deps.docker.getNode(id).inspect()) as { Version: { Index: number }; Spec: { Labels?: Record<string, string> } };
      if (node.Spec.Labels?.[key] === "true") break;
      try {
        await deps.docker.getNode(id).update({ version: node.Version.Index, ...node.Spec, Labels: { ...node.Spec.Labels, [key]: "true" } });
        break;
      } catch (err) {
        if (attempt >= 5 || !/out of sequence/i.test(String(err))) throw err;
      }
    }
  }
}

/**
 * Removes the owner's node agent (its tasks remove their rules as they stop) and its label from the
 * nodes; only when no tenant of the owner is left. Returns whether the agent existed.
 */
export async function removeNodeAgent(docker: Docker, owner: string): Promise<boolean> {
  let existed = true;
  try {
    await docker.getService(agentServiceName(owner)).remove();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    existed = false;
  }
  const key = protectedNodeLabel(owner);
  const nodes = (await docker.listNodes()) as Array<{ ID: string; Version: { Index: number }; Spec: { Labels?: Record<string, string> } }>;
  for (const node of nodes.filter((n) => n.Spec.Labels?.[key])) {
    const { [key]: _, ...labels } = node.Spec.Labels ?? {};
    await docker
      .getNode(node.ID)
      .update({ version: node.Version.Index, ...node.Spec, Labels: labels })
      .catch(() => {}); // raced: the next removal tries again
  }
  return existed;
}

function agentSpec(deps: NodeAgentDeps, name: string, image: string, rules: AgentRules, config: string, ports: number[]): Docker.CreateServiceOptions {
  return {
    Name: name,
    Labels: { [AGENT_LABEL]: deps.owner, [CONFIG_LABEL]: config, [PORTS_LABEL]: ports.join(",") },
    TaskTemplate: {
      ContainerSpec: {
        Image: image,
        Env: [`CVG_AGENT_RULES=${JSON.stringify(rules)}`],
        User: "0:0",
        // The firewall needs these two and nothing else.
        CapabilityDrop: ["ALL"],
        CapabilityAdd: ["CAP_NET_ADMIN", "CAP_NET_RAW"],
        ReadOnly: true,
        Init: true,
        Mounts: [{ Type: "tmpfs", Source: "", Target: "/tmp", TmpfsOptions: { SizeBytes: 1024 * 1024, Mode: 0o1777 } }],
        // Healthy once the rules are in place: Swarm reports the task running only then.
        HealthCheck: { Test: ["CMD", "node", "/agent/agent.mjs", "check"], Interval: 1e9, Timeout: 5e9, Retries: 3, StartPeriod: 0 },
        StopGracePeriod: 10e9,
      },
      Resources: { Limits: { NanoCPUs: 0.2e9, MemoryBytes: 96 * 1024 * 1024, Pids: 32 } },
      RestartPolicy: { Condition: "any", Delay: 2e9 },
      Placement: { Constraints: deps.constraints },
      Networks: [{ Target: "host" }],
      LogDriver: { Name: "json-file", Options: { "max-size": "1m", "max-file": "2" } },
    },
    Mode: { Global: {} },
    // The new configuration's task starts (and installs its chains) before the old one removes its own.
    UpdateConfig: { Parallelism: 0, Order: "start-first", FailureAction: "continue", Monitor: 1e9 },
  };
}

/**
 * Until the agent's current task runs healthy on every node that is up (Swarm schedules it where
 * tenants may go); returns those nodes.
 */
async function waitAgentReady(deps: NodeAgentDeps, name: string): Promise<string[]> {
  const deadline = Date.now() + deps.readyTimeoutMs;
  let last = "no task yet";
  for (;;) {
    const service = await inspectService(deps.docker, name);
    if (!service) throw new Error(`the node agent service ${name} vanished`);
    const [tasks, nodes] = await Promise.all([
      deps.docker.listTasks({ filters: { service: [service.ID], "desired-state": ["running"] } }) as Promise<TaskLike[]>,
      deps.docker.listNodes() as Promise<NodeLike[]>,
    ]);
    const up = new Set(nodes.filter((n) => n.Status?.State === "ready").map((n) => n.ID));
    const current = tasks.filter((t) => t.NodeID && up.has(t.NodeID));
    const waiting = current.filter((t) => t.Status.State !== "running");
    if (current.length > 0 && waiting.length === 0) return current.map((t) => t.NodeID!);
    if (waiting.length) last = waiting.map((t) => `${t.Status.State}${t.Status.Err ? ` (${t.Status.Err})` : ""}`).join(", ");
    if (Date.now() > deadline) {
      throw new Error(`the node agent ${name} is not running on every node after ${deps.readyTimeoutMs / 1000}s (${last}); tenants are not started without it`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function inspectService(docker: Docker, name: string): Promise<ServiceLike | null> {
  try {
    return (await docker.getService(name).inspect()) as ServiceLike;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
}

/**
 * The agent's build context (a temporary directory the caller removes): its Dockerfile and script,
 * and a root file system holding the iptables binaries of this host (both backends when present),
 * the libraries they link against and their extensions, at the same paths as here.
 */
export async function agentBuildContext(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "cvg-node-agent-"));
  cpSync(join(AGENT_DIR, "Dockerfile"), join(dir, "Dockerfile"));
  cpSync(join(AGENT_DIR, "agent.mjs"), join(dir, "agent.mjs"));
  const rootfs = join(dir, "rootfs");
  const copy = (path: string) => {
    mkdirSync(join(rootfs, dirname(path)), { recursive: true });
    cpSync(realpathSync(path), join(rootfs, path), { dereference: true });
  };
  const binaries = ["xtables-nft-multi", "xtables-legacy-multi"]
    .map((b) => ["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map((d) => join(d, b)).find(existsSync))
    .filter((p): p is string => Boolean(p));
  if (!binaries.length) throw new Error("iptables is not installed on this worker's host: the Swarm node agent's image carries this host's iptables");
  mkdirSync(join(rootfs, "usr/sbin"), { recursive: true });
  for (const bin of binaries) {
    const multi = bin.endsWith("nft-multi") ? "nft" : "legacy";
    cpSync(realpathSync(bin), join(rootfs, "usr/sbin", `xtables-${multi}-multi`));
    for (const link of [`iptables-${multi}`, `iptables-${multi}-restore`]) symlinkSync(`xtables-${multi}-multi`, join(rootfs, "usr/sbin", link));
    const { stdout } = await promisify(execFile)("ldd", [bin]);
    for (const lib of stdout.match(/\/\S+/g) ?? []) {
      copy(lib);
      // Extensions live in an xtables/ directory beside (or under usr/ of) libxtables' directory.
      if (/libxtables\.so/.test(lib)) {
        for (const ext of [join(dirname(lib), "xtables"), join("/usr", dirname(lib), "xtables")]) {
          if (existsSync(ext) && !existsSync(join(rootfs, ext))) cpSync(ext, join(rootfs, ext), { recursive: true, dereference: true });
        }
      }
    }
  }
  return dir;
}
