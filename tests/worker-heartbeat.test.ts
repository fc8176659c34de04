/** The worker's container healthcheck: healthy while the worker runs and reaches Redis and Postgres, unhealthy once it is gone. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../shared/config.js";
import { startStack, waitFor, type Stack } from "./helpers/stack.js";

let stack: Stack;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cvg-heartbeat-"));
  const extra = { WORKER_HEARTBEAT_FILE: join(dir, "worker.heartbeat"), WORKER_HEARTBEAT_MS: "300" };
  stack = await startStack("heartbeat", extra, { workers: 1 });
  env = { ...stack.env, ...extra };
});
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const healthcheck = () => spawnSync(process.execPath, ["--import", "tsx", "worker/healthcheck.ts"], { cwd: projectRoot, env, encoding: "utf8" });

describe("worker healthcheck", () => {
  it("passes while the worker beats, and fails once the worker is gone", async () => {
    await waitFor(async () => healthcheck().status === 0, { timeoutMs: 20_000, what: "a healthy worker" });
    const worker = stack.workers[0]!;
    worker.kill("SIGKILL");
    await new Promise((r) => worker.once("exit", r));
    const stale = await waitFor(
      async () => {
        const r = healthcheck();
        return r.status === 1 ? r : null;
      },
      { timeoutMs: 10_000, what: "the healthcheck to notice" },
    );
    expect(stale.stderr).toMatch(/heartbeat is \d+s old/);
  });
});
