/**
 * The local swarm's verbs (`npm run cluster -- up N | status | kill n | start n | down`), also
 * used by the test fixture (tests/helpers/swarm.ts). Every step is recorded in the state file as
 * soon as it is done, so that `down` after a crash halfway still removes exactly what was made.
 */
import { rmSync, rmdirSync } from "node:fs";
import { ensureBridge, ensureIptables, removeBridge, removeIptables } from "./network.js";
import { describeNode, destroyNode, engineRunning, killNode, startEngine, NODE_LABEL } from "./node.js";
import { ensureRegistry, removeRegistry } from "./registry.js";
import { DATA_DIR, MAX_NODES, OWN_MANAGER, RUN_DIR, clearState, loadState, newState, saveState, withLock, type ClusterState, type NodeState } from "./state.js";
import { ensureJoined, ensureManager, managerDocker, releaseManager, removeFromSwarm, waitNodeReady } from "./swarm.js";
import { isOurProcess } from "./sys.js";

export { REGISTRY, MANAGER_IP } from "./state.js";
export { nodeDocker, nodeSocket } from "./node.js";
export { loadState, type ClusterState, type NodeState } from "./state.js";

/** The platform's owner label: services carrying it are the platform's business, not the cluster's. */
const OWNER_LABEL = "io.convergence.owner";

type Log = (message: string) => void;
const quiet: Log = () => {};

export interface UpResult {
  /** True when this call made the cluster (no state existed). */
  createdCluster: boolean;
  /** Nodes this call added. */
  addedNodes: number[];
  state: ClusterState;
}

/**
 * Makes sure nodes 1..count exist, run and are in the swarm, with the bridge, registry and manager.
 * A cluster this call makes is recorded as made by `tool` for process `ownerPid` (default: this one).
 */
export async function up(count: number, opts: { log?: Log; tool?: string; ownerPid?: number } = {}): Promise<UpResult> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_NODES) throw new Error(`node count must be 1..${MAX_NODES}, got ${count}`);
  const log = opts.log ?? quiet;
  return withLock(async () => {
    const existing = loadState();
    const state = existing ?? newState(opts.tool ?? "cli", opts.ownerPid);
    const save = () => saveState(state);
    save();
    await ensureBridge(state);
    save();
    await ensureIptables(state);
    save();
    await ensureRegistry(state, log);
    save();
    await ensureManager(state, log);
    save();
    const addedNodes: number[] = [];
    for (let n = 1; n <= count; n++) {
      let node = state.nodes[n];
      if (!node) {
        node = describeNode(n);
        state.nodes[n] = node;
        addedNodes.push(n);
        save();
      }
      const wasRunning = engineRunning(node);
      await startEngine(node);
      save();
      await ensureJoined(state, node);
      save();
      if (!wasRunning) log(`node ${n}: ${node.hostname} at ${node.address} is ${addedNodes.includes(n) ? "in the swarm" : "running again"}`);
    }
    return { createdCluster: !existing, addedNodes, state };
  });
}

/** SIGKILLs node n's engine, its containerd, shims and containers, as a crashed host. */
export async function kill(n: number): Promise<number> {
  return withLock(async () => {
    const state = requireState();
    const node = requireNode(state, n);
    const killed = await killNode(node);
    saveState(state);
    return killed;
  });
}

/** Starts node n's engine again; it rejoins the swarm with its old identity. */
export async function start(n: number): Promise<void> {
  await withLock(async () => {
    const state = requireState();
    const node = requireNode(state, n);
    await startEngine(node);
    saveState(state);
    await ensureJoined(state, node);
    saveState(state);
    await waitNodeReady(node);
  });
}

/** Removes node n entirely (leaves the swarm, processes, namespace, data). */
export async function removeNode(n: number): Promise<void> {
  await withLock(async () => {
    const state = requireState();
    await removeNodeFrom(state, requireNode(state, n));
  });
}

async function removeNodeFrom(state: ClusterState, node: NodeState): Promise<void> {
  if (state.swarm) await removeFromSwarm(node);
  await destroyNode(node);
  delete state.nodes[node.n];
  saveState(state);
}

export class ServicesRemainError extends Error {}

/**
 * Removes everything `up` made. Refuses (unless `force`) while services carrying the platform's
 * owner label remain, or while any service remains on a swarm that `up` initialised (leaving it
 * would delete them): those are the platform's to destroy.
 */
export async function down(opts: { force?: boolean; log?: Log } = {}): Promise<boolean> {
  const log = opts.log ?? quiet;
  return withLock(async () => {
    const state = loadState();
    if (!state) {
      log("no local cluster recorded: nothing to remove");
      return false;
    }
    if (state.swarm && !opts.force) {
      const info = await managerDocker().info();
      if (info.Swarm.LocalNodeState === "active" && info.Swarm.ControlAvailable) {
        const services = await managerDocker().listServices();
        const owned = services.filter((s) => s.Spec?.Labels?.[OWNER_LABEL]);
        const blocking = state.swarm.initialisedByUs ? services : owned;
        if (blocking.length) {
          const names = (list: typeof services) => list.map((s) => s.Spec?.Name).join(", ");
          throw new ServicesRemainError(
            `${blocking.length} service(s) still on the swarm: ${names(blocking)}.` +
              (owned.length ? ` ${owned.length} belong to the platform (label ${OWNER_LABEL}): destroy those tenants through the API, or remove them with \`docker service rm\`.` : "") +
              " Nothing was removed; `down --force` removes the cluster anyway.",
          );
        }
      }
    }
    for (const node of Object.values(state.nodes)) {
      await removeNodeFrom(state, node);
      log(`node ${node.n} removed`);
    }
    await releaseManager(state);
    saveState(state);
    await untagRegistryImages(state.registry?.address);
    await removeRegistry(state);
    saveState(state);
    await removeIptables(state);
    saveState(state);
    await removeBridge(state);
    clearState();
    for (const d of [`${DATA_DIR}/nodes`, DATA_DIR]) {
      try {
        rmdirSync(d);
      } catch {
        // not empty: something we did not make lives there
      }
    }
    rmSync(RUN_DIR, { recursive: true, force: true });
    log("local cluster removed");
    return true;
  });
}

/**
 * Tags for the registry `down` removes (pushes made them on the manager) would dangle: untag them.
 * The images themselves stay while another tag (the platform's local build tag) names them.
 */
async function untagRegistryImages(registry: string | undefined): Promise<void> {
  if (!registry || OWN_MANAGER) return; // an own manager's images went with its engine
  const docker = managerDocker();
  for (const image of await docker.listImages()) {
    for (const tag of image.RepoTags ?? []) {
      if (tag.startsWith(`${registry}/`))
        await docker
          .getImage(tag)
          .remove()
          .catch(() => {});
    }
  }
}

export interface NodeRow {
  /** 0 for the manager (this machine's engine), n for node n. */
  n: number;
  id: string;
  hostname: string;
  address: string;
  state: string;
  availability: string;
  role: string;
  tasks: number;
  engine: "running" | "stopped" | "shared";
}

export interface Status {
  registry: { address: string; running: boolean } | null;
  nodes: NodeRow[];
}

export async function status(): Promise<Status> {
  const state = loadState();
  const registry = state?.registry ? { address: state.registry.address, running: isOurProcess(state.registry.pid, state.registry.dir) } : null;
  const docker = managerDocker();
  const info = await docker.info();
  if (info.Swarm.LocalNodeState !== "active" || !info.Swarm.ControlAvailable) {
    const nodes = Object.values(state?.nodes ?? {}).map((node) => ({
      n: node.n,
      id: node.swarmNodeId ?? "",
      hostname: node.hostname,
      address: node.address,
      state: "-",
      availability: "-",
      role: "-",
      tasks: 0,
      engine: engineRunning(node) ? ("running" as const) : ("stopped" as const),
    }));
    return { registry, nodes };
  }
  const [nodes, tasks] = await Promise.all([docker.listNodes(), docker.listTasks()]);
  const running = new Map<string, number>();
  for (const t of tasks) {
    if (t.DesiredState === "running" && t.Status?.State === "running" && t.NodeID) running.set(t.NodeID, (running.get(t.NodeID) ?? 0) + 1);
  }
  const ours = new Map([...Object.values(state?.nodes ?? {}), ...(state?.manager ? [state.manager] : [])].map((node) => [node.swarmNodeId, node]));
  const rows: NodeRow[] = nodes.map((sn) => {
    const node = ours.get(sn.ID);
    const labelled = Number(sn.Description?.Engine?.Labels?.[NODE_LABEL] ?? 0);
    const isManager = sn.Spec?.Role === "manager";
    const addr = sn.Status?.Addr && sn.Status.Addr !== "0.0.0.0" ? sn.Status.Addr : (sn.ManagerStatus?.Addr ?? "").replace(/:\d+$/, "");
    return {
      n: node?.n ?? (labelled || 0),
      id: sn.ID,
      hostname: sn.Description?.Hostname ?? "",
      address: addr,
      state: sn.Status?.State ?? "",
      availability: sn.Spec?.Availability ?? "",
      role: `${sn.Spec?.Role ?? ""}${isManager && sn.ManagerStatus?.Leader ? " (leader)" : ""}`,
      tasks: running.get(sn.ID) ?? 0,
      engine: node ? (engineRunning(node) ? "running" : "stopped") : "shared",
    };
  });
  rows.sort((a, b) => a.n - b.n || a.hostname.localeCompare(b.hostname));
  return { registry, nodes: rows };
}

function requireState(): ClusterState {
  const state = loadState();
  if (!state) throw new Error("no local cluster: run `npm run cluster -- up 2` first");
  return state;
}

function requireNode(state: ClusterState, n: number): NodeState {
  const node = state.nodes[n];
  if (!node) throw new Error(`no node ${n} in the local cluster (nodes: ${Object.keys(state.nodes).join(", ") || "none"})`);
  return node;
}
