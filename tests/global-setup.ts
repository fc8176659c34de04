/**
 * Once per `vitest run`: migrate and empty the test database, and remove containers a previous, aborted
 * run may have left (only those carrying the test owner label). At the end of the run: remove the
 * local swarm if a test file of this run brought it up (tests/helpers/swarm.ts).
 */
import Docker from "dockerode";
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { projectRoot } from "../shared/config.js";
import { TEST_OWNER, logDir, testEnv } from "./helpers/stack.js";
import { removeRunSwarm } from "./helpers/swarm-run.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** When this `vitest run` started (ms): every log file it scans must be newer. */
    runStartedAt: number;
  }
}

export default async function setup(project: TestProject) {
  // This run's logs only: tests/zz-no-secrets-in-logs.test.ts scans everything in here.
  project.provide("runStartedAt", Date.now());
  project.provide("vitestPid", process.pid);
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const env = testEnv();
  execFileSync(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], { cwd: projectRoot, env, stdio: "inherit" });
  // A dedicated database: start every run from empty, so no earlier run's tenant is picked up
  // by this run's reconcilers.
  const sql = postgres(env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  await sql`truncate port_leases, tenant_events, tenants, organisations, signing_keys restart identity cascade`;
  await sql.end();
  const docker = new Docker();
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`io.convergence.owner=${TEST_OWNER}`] } });
  await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => {})));
  return async () => {
    await removeRunSwarm(process.pid);
  };
}
