/**
 * The run-wide side of the test swarm (tests/helpers/swarm.ts), free of vitest so that the global
 * set-up can load it: who owns the swarm, the lock that keeps two test runs on one machine from
 * using the (one) local swarm at once, removing the suite's services, and removing the swarm at the
 * end of the run that made it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { down, loadState } from "../../scripts/cluster/index.js";
import { isAlive } from "../../scripts/cluster/sys.js";
import { managerDocker, managerSocket } from "../../scripts/cluster/swarm.js";
import { SwarmRuntime, removeNodeAgent } from "../../shared/runtime/swarm/index.js";
import { TEST_OWNER } from "./stack.js";

/** The `tool` a test run's swarm is recorded under. */
export const SWARM_TOOL = "vitest";

const LOCK_FILE = "/run/cvg-cluster-tests.lock";

/**
 * Holds the machine-wide test-swarm lock until the returned release is called: a test file holds
 * it while it uses the swarm (it kills and starts nodes), a run's teardown while it removes it.
 * Another run's file waits for it (up to `timeoutMs`), instead of having its nodes killed under it.
 * A lock whose holder died is taken over.
 */
export async function lockTestSwarm(timeoutMs = 150_000): Promise<() => void> {
  mkdirSync("/run", { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(LOCK_FILE, String(process.pid), { flag: "wx" });
      return () => {
        if (readFileSync(LOCK_FILE, "utf8").trim() === String(process.pid)) rmSync(LOCK_FILE, { force: true });
      };
    } catch {
      const holder = Number(readFileSync(LOCK_FILE, "utf8").trim() || 0);
      if (!isAlive(holder)) {
        rmSync(LOCK_FILE, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`the local swarm is in use by another test run (pid ${holder}, in ${cwdOf(holder)}) for more than ${timeoutMs / 1000}s; run the swarm suites again when it is done`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function cwdOf(pid: number): string {
  try {
    return (
      readFileSync(`/proc/${pid}/environ`, "utf8")
        .split("\0")
        .find((v) => v.startsWith("PWD="))
        ?.slice(4) ?? "?"
    );
  } catch {
    return "?";
  }
}

/** At the end of a run: removes the swarm if this run (process `pid`) made it. */
export async function removeRunSwarm(pid: number): Promise<void> {
  if (loadState()?.createdBy.tool !== SWARM_TOOL || loadState()?.createdBy.pid !== pid) return;
  const release = await lockTestSwarm();
  try {
    const state = loadState(); // again, under the lock
    if (state?.createdBy.tool !== SWARM_TOOL || state.createdBy.pid !== pid) return;
    await removeTestServices().catch(() => {});
    await down({ force: true });
  } finally {
    release();
  }
}

/** Services of this suite's owner (tenants, node agents), never anyone else's. */
export async function removeTestServices(): Promise<void> {
  const docker = managerDocker();
  const info = await docker.info();
  if (info.Swarm?.LocalNodeState !== "active" || !info.Swarm.ControlAvailable) return;
  // Through the runtime's remove: scaled to 0 and reaped before deletion (deleting a service while
  // Swarm reaps its tasks can crash the manager, which is the shared engine).
  const runtime = new SwarmRuntime({ socketPath: managerSocket(), owner: TEST_OWNER, stopTimeoutMs: 10_000 });
  await Promise.all((await runtime.listOwned()).map((s) => runtime.remove(s.name).catch(() => {})));
  await runtime.removeOrphanSecrets().catch(() => {}); // key secrets a killed run left without their service
  await removeNodeAgent(docker, TEST_OWNER); // and its label on the nodes
}
