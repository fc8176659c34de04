/**
 * A real local swarm for the test files that need one (vitest fixture `swarm`, scope "file"): this
 * machine's engine as manager, worker engines in network namespaces and a private registry, made by
 * the same code as `npm run cluster -- up` (scripts/cluster/).
 *
 * One swarm serves every file of a `vitest run`: the first file that needs it brings it up, recorded
 * as belonging to the run's main process, and the run's global teardown (tests/global-setup.ts)
 * removes it after the last file, whether tests passed or not; a swarm left by a run that died is
 * removed at the start of the next. Each file still leaves the swarm as it found it: its services
 * removed and any node it killed started again. While a file uses the swarm it holds a machine-wide
 * lock (tests/helpers/swarm-run.ts): another test run on the same machine waits for it.
 *
 * It is the `cvgt` cluster (CVG_CLUSTER, set in vitest.config.ts), never the `cvg` one of
 * `npm run cluster -- up`: its own names, subnet (198.18.1.0/24), directories, state file and a
 * manager engine of its own, so that a platform running on `cvg` (whose node agents admit only its
 * own master) never shares a node with the suite's tenants. A `cvgt` cluster that existed before
 * the run is reused and left as it was found, less only what the run added.
 */
import Docker from "dockerode";
import { inject, test as base } from "vitest";
import { down, kill, loadState, MANAGER_IP, nodeDocker, REGISTRY, removeNode, start, up, type NodeState } from "../../scripts/cluster/index.js";
import { isAlive } from "../../scripts/cluster/sys.js";
import { managerDocker } from "../../scripts/cluster/swarm.js";
import { testEnv } from "./stack.js";
import { lockTestSwarm, removeTestServices, SWARM_TOOL } from "./swarm-run.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The pid of the `vitest run` main process: a swarm recorded under it is removed by the run's teardown. */
    vitestPid: number;
  }
}

export interface LocalSwarm {
  /** host:port of the registry every engine pulls from. */
  registry: string;
  /** The manager's address on the nodes' network: where tenants find the master. */
  managerAddress: string;
  nodes: NodeState[];
  /** The engine API of one node (what `docker -H unix://…` on that host would show). */
  nodeDocker(node: NodeState): Docker;
  nodeById(swarmNodeId: string): NodeState | undefined;
  /** SIGKILL the node's engine and everything under it, as a crashed host. */
  kill(node: NodeState): Promise<void>;
  start(node: NodeState): Promise<void>;
}

/**
 * Brings up (or reuses) a swarm of `count` worker nodes owned by `ownerPid`'s run, holding the
 * machine-wide test-swarm lock until teardown.
 */
export async function startLocalSwarm(count: number, ownerPid: number): Promise<LocalSwarm & { teardown(): Promise<void> }> {
  const release = await lockTestSwarm();
  try {
    return await startLocked(count, ownerPid, release);
  } catch (err) {
    release();
    throw err;
  }
}

async function startLocked(count: number, ownerPid: number, release: () => void): Promise<LocalSwarm & { teardown(): Promise<void> }> {
  const previous = loadState();
  if (previous && previous.createdBy.tool === SWARM_TOOL && !isAlive(previous.createdBy.pid)) {
    await down({ force: true }); // left by an aborted test run: ours to remove
  }
  const madeBefore = loadState();
  let made: Awaited<ReturnType<typeof up>>;
  try {
    made = await up(count, { tool: SWARM_TOOL, ownerPid });
  } catch (err) {
    // A cluster this call began: remove what it got to, so the next run starts clean.
    if (!madeBefore && loadState()) await down({ force: true }).catch(() => {});
    throw err;
  }
  await removeTestServices(); // left by an aborted run of this suite
  // The manager engine builds the template images: it needs their base, which this (offline) machine's engine has.
  await copyImageToManager(testEnv().TENANT_BASE_IMAGE ?? "node:22-alpine");
  const ownedByRun = made.state.createdBy.tool === SWARM_TOOL && made.state.createdBy.pid === ownerPid;
  const killed = new Set<number>();
  const nodes = Object.values(made.state.nodes).filter((n) => n.n <= count);
  const swarm: LocalSwarm = {
    registry: REGISTRY,
    managerAddress: MANAGER_IP,
    nodes,
    nodeDocker,
    nodeById: (id) => nodes.find((n) => n.swarmNodeId === id),
    async kill(node) {
      killed.add(node.n);
      await kill(node.n);
    },
    async start(node) {
      await start(node.n);
      killed.delete(node.n);
    },
  };
  return {
    ...swarm,
    async teardown() {
      try {
        await removeTestServices();
        for (const n of killed) await start(n);
        // The run's own swarm stays for the next file; the run's teardown removes it.
        if (!ownedByRun) for (const n of made.addedNodes) await removeNode(n);
      } finally {
        release();
      }
    },
  };
}

/** Loads `name` from this machine's engine into the swarm manager's, unless the manager has it. */
async function copyImageToManager(name: string): Promise<void> {
  const manager = managerDocker();
  const has = await manager
    .getImage(name)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (has) return;
  const source = await new Docker().getImage(name).get();
  const loaded = await manager.loadImage(source);
  await new Promise((resolve, reject) => manager.modem.followProgress(loaded, (err) => (err ? reject(err) : resolve(undefined))));
}

export const swarmTest = base.extend<{ swarm: LocalSwarm }>({
  swarm: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const swarm = await startLocalSwarm(2, inject("vitestPid"));
      try {
        await use(swarm);
      } finally {
        await swarm.teardown();
      }
    },
    { scope: "file" },
  ],
});
