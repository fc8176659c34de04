/**
 * A real local swarm for a test file (vitest fixture `swarm`, scope "file"): this machine's engine
 * as manager, worker engines in network namespaces and a private registry, made by the same code as
 * `npm run cluster -- up` (scripts/cluster/). Built once per file and torn down after its last test
 * even when tests fail; a cluster that existed before the file (someone's demo) is reused and left
 * as it was found, less only what the file added.
 */
import type Docker from "dockerode";
import { test as base } from "vitest";
import { down, kill, loadState, MANAGER_IP, nodeDocker, REGISTRY, removeNode, start, up, type NodeState } from "../../scripts/cluster/index.js";
import { isAlive } from "../../scripts/cluster/sys.js";
import { managerDocker } from "../../scripts/cluster/swarm.js";
import { TEST_OWNER } from "./stack.js";

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

export async function startLocalSwarm(count: number): Promise<LocalSwarm & { teardown(): Promise<void> }> {
  const previous = loadState();
  if (previous && previous.createdBy.tool === "vitest" && !isAlive(previous.createdBy.pid)) {
    await down({ force: true }); // left by an aborted test run: ours to remove
  }
  let made: Awaited<ReturnType<typeof up>>;
  try {
    made = await up(count, { tool: "vitest" });
  } catch (err) {
    // A cluster this call began: remove what it got to, so the next run starts clean.
    if (loadState()?.createdBy.pid === process.pid) await down({ force: true }).catch(() => {});
    throw err;
  }
  await removeTestServices(); // left by an aborted run of this suite
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
      await removeTestServices();
      if (made.createdCluster) {
        await down();
        return;
      }
      for (const n of made.addedNodes) await removeNode(n);
      for (const n of killed) if (!made.addedNodes.includes(n)) await start(n);
    },
  };
}

/** Services carrying this suite's owner label (never anyone else's). */
async function removeTestServices(): Promise<void> {
  const docker = managerDocker();
  const services = await docker.listServices({ filters: { label: [`io.convergence.owner=${TEST_OWNER}`] } });
  await Promise.all(services.map((s) => docker.getService(s.ID!).remove().catch(() => {})));
}

export const swarmTest = base.extend<{ swarm: LocalSwarm }>({
  swarm: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const swarm = await startLocalSwarm(2);
      try {
        await use(swarm);
      } finally {
        await swarm.teardown();
      }
    },
    { scope: "file" },
  ],
});
