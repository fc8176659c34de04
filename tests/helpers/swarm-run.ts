/**
 * The run-wide side of the test swarm (tests/helpers/swarm.ts), free of vitest so that the global
 * set-up can load it: who owns the swarm, removing the suite's services, and removing the swarm at
 * the end of the run that made it.
 */
import { down, loadState } from "../../scripts/cluster/index.js";
import { managerDocker } from "../../scripts/cluster/swarm.js";
import { SwarmRuntime } from "../../shared/runtime/swarm.js";
import { removeNodeAgent } from "../../shared/runtime/swarm-network.js";
import { TEST_OWNER } from "./stack.js";

/** The `tool` a test run's swarm is recorded under. */
export const SWARM_TOOL = "vitest";

/** At the end of a run: removes the swarm if this run (process `pid`) made it. */
export async function removeRunSwarm(pid: number): Promise<void> {
  const state = loadState();
  if (state?.createdBy.tool !== SWARM_TOOL || state.createdBy.pid !== pid) return;
  await removeTestServices().catch(() => {});
  await down({ force: true });
}

/** Services of this suite's owner (tenants, node agents), never anyone else's. */
export async function removeTestServices(): Promise<void> {
  const docker = managerDocker();
  const info = await docker.info();
  if (info.Swarm?.LocalNodeState !== "active" || !info.Swarm.ControlAvailable) return;
  // Through the runtime's remove: scaled to 0 and reaped before deletion (deleting a service while
  // Swarm reaps its tasks can crash the manager, which is the shared engine).
  const runtime = new SwarmRuntime({ socketPath: "/var/run/docker.sock", owner: TEST_OWNER, stopTimeoutMs: 10_000 });
  await Promise.all((await runtime.listOwned()).map((s) => runtime.remove(s.name).catch(() => {})));
  await removeNodeAgent(docker, TEST_OWNER); // and its label on the nodes
}
