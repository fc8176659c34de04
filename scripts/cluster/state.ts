/**
 * What `cluster up` made, recorded as it is made, so that `down` removes exactly that and nothing
 * else on a machine other people use. Every name carries the cluster's prefix (`cvg-`). One
 * cluster per name, so the state lives at a fixed path; a lock keeps two invocations from
 * interleaving.
 *
 * Two clusters can exist side by side: `cvg` (`npm run cluster`, the default) makes this machine's
 * engine its manager, as a platform with CONVERGENCE_RUNTIME=swarm on this machine expects; `cvgt`
 * (the test suite's, chosen by CVG_CLUSTER=cvgt in vitest.config.ts) has its own names, subnet,
 * directories, lock and state file, and a manager engine of its own in a network namespace (an
 * engine belongs to one swarm, and the machine's engine may already manage `cvg`'s). So a test run
 * never shares nodes, and thus node agents, with a platform someone runs on `cvg`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { isAlive, sleep } from "./sys.js";

/** Each cluster's name and the third octet of its subnet (198.18.<octet>.0/24). */
const CLUSTERS: Record<string, number> = { cvg: 0, cvgt: 1 };
/** The cluster this process works on; every name, path and address below derives from it. */
export const CLUSTER = process.env.CVG_CLUSTER || "cvg";
if (!(CLUSTER in CLUSTERS)) throw new Error(`CVG_CLUSTER must be one of ${Object.keys(CLUSTERS).join(", ")}, got "${CLUSTER}"`);
/** True when the cluster's manager is an engine of its own (node 0), not this machine's engine. */
export const OWN_MANAGER = CLUSTER !== "cvg";

export const DATA_DIR = `/var/lib/${CLUSTER}-cluster`;
export const RUN_DIR = `/run/${CLUSTER}-cluster`;
const STATE_FILE = join(DATA_DIR, "state.json");
const LOCK_FILE = `/run/${CLUSTER}-cluster.lock`;

/** The host bridge's subnet: 198.18.0.0/15 is reserved for benchmarking (RFC 2544), so it collides with nothing real. */
export const BRIDGE = `${CLUSTER}-br0`;
export const SUBNET_PREFIX = `198.18.${CLUSTERS[CLUSTER]}.`;
/** This machine's address on the bridge: the registry and the master (and, for `cvg`, the swarm manager). */
export const MANAGER_IP = `${SUBNET_PREFIX}1`;
export const PREFIX_LEN = 24;
export const REGISTRY_PORT = 5000;
export const REGISTRY = `${MANAGER_IP}:${REGISTRY_PORT}`;
/** Node n's address on the bridge (node 0: the manager engine of a cluster with OWN_MANAGER). */
export const nodeIp = (n: number) => `${SUBNET_PREFIX}${10 + n}`;
export const MAX_NODES = 200;

export interface NodeState {
  n: number;
  /** The node's hostname (its own UTS namespace), as Swarm lists it. */
  hostname: string;
  netns: string;
  vethHost: string;
  address: string;
  dataDir: string;
  runDir: string;
  cgroup: string;
  containerdPid?: number;
  dockerdPid?: number;
  swarmNodeId?: string;
}

export interface IptablesRule {
  table: string;
  chain: string;
  spec: string[];
}

export interface ClusterState {
  version: 1;
  /** Who brought it up, and the process it belongs to: a test run tears down only a cluster it made. */
  createdBy: { tool: string; pid: number; at: string };
  bridge?: { name: string; created: boolean };
  iptables: IptablesRule[];
  registry?: {
    address: string;
    dir: string;
    pid?: number;
    /** Where the engines (manager and nodes) find the registry's CA; the directories we created there. */
    trustFile: string;
    createdDirs: string[];
  };
  swarm?: {
    /** True when `up` ran `swarm init`; only then does `down` leave the swarm. */
    initialisedByUs: boolean;
    managerNodeId: string;
    managerAddr: string;
    /** The manager's availability before `up` drained it, restored by `down` when the swarm stays. */
    previousAvailability: string;
    /** docker_gwbridge did not exist before `swarm init`: `down` removes it after leaving. */
    gwbridgeCreated: boolean;
  };
  nodes: Record<string, NodeState>;
  /** The manager engine (node 0) of a cluster with OWN_MANAGER. */
  manager?: NodeState;
}

export function loadState(): ClusterState | null {
  if (!existsSync(STATE_FILE)) return null;
  return JSON.parse(readFileSync(STATE_FILE, "utf8")) as ClusterState;
}

export function newState(tool: string, pid = process.pid): ClusterState {
  return { version: 1, createdBy: { tool, pid, at: new Date().toISOString() }, iptables: [], nodes: {} };
}

export function saveState(state: ClusterState): void {
  mkdirSync(DATA_DIR, { recursive: true });
  const tmp = `${STATE_FILE}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, STATE_FILE);
}

export function clearState(): void {
  rmSync(STATE_FILE, { force: true });
}

/** Runs `fn` holding the machine-wide cluster lock; a lock whose holder died is taken over. */
export async function withLock<T>(fn: () => Promise<T>, timeoutMs = 300_000): Promise<T> {
  mkdirSync(dirname(LOCK_FILE), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(LOCK_FILE, String(process.pid), { flag: "wx" });
      break;
    } catch {
      const holder = Number(readFileSync(LOCK_FILE, "utf8").trim() || 0);
      if (!isAlive(holder)) {
        rmSync(LOCK_FILE, { force: true }); // holder is gone
        continue;
      }
      if (Date.now() > deadline) throw new Error(`another cluster command (pid ${holder}) holds ${LOCK_FILE}`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK_FILE, { force: true });
  }
}
