/**
 * No tenant stays in a transient state unnoticed: past its deadline a provisioning tenant fails,
 * saying which step; a destroy that cannot finish is retried until it does and says why it is
 * late. And when a worker cannot reach Docker, the API says so instead of guessing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { jobs } from "../shared/jobs.js";
import { ownedContainers, spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";

let stack: Stack;
let org: { id: number; token: string };

describe("deadlines", () => {
  // A starting deadline this short would also fail a healthy tenant that a busy machine takes a
  // few seconds to start; only the tenants here, which never become healthy, run under it.
  beforeAll(async () => {
    stack = await startStack("deadlines", {
      TENANT_READY_TIMEOUT_MS: "120000",
      DEADLINE_STARTING_MS: "4000",
      RECONCILE_INTERVAL_MS: "1000",
    });
    org = await stack.newOrg("deadlines");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("a tenant stuck past its starting deadline is failed with a message naming the step, and destroying it works", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "stuck", framework: "unhealthy" });
    const { envId } = res.body.tenant;
    await waitForStatus(stack, org.token, envId, ["starting"], 60_000);
    const failed = await waitForStatus(stack, org.token, envId, ["failed"], 60_000);
    expect(failed.error).toMatch(/timed out in step "starting"/);
    expect(await ownedContainers(stack, envId)).toHaveLength(0);

    const del = await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
    expect(del.status).toBe(202);
    await waitForStatus(stack, org.token, envId, ["destroyed"]);
  });

  it("a tenant can be destroyed while it is still starting", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "impatient", framework: "unhealthy" });
    const { envId } = res.body.tenant;
    await waitForStatus(stack, org.token, envId, ["starting"], 60_000);
    const del = await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
    expect(del.status).toBe(202);
    await waitForStatus(stack, org.token, envId, ["destroyed"], 30_000);
    expect(await ownedContainers(stack, envId)).toHaveLength(0);
  });
});

describe("a worker that cannot reach Docker", () => {
  const usual: NodeJS.ProcessEnv = {};
  const unreachableDocker: NodeJS.ProcessEnv = { DOCKER_SOCKET: "/nonexistent/docker.sock" };
  let current = [usual];

  beforeAll(async () => {
    stack = await startStack("deadlines-docker", {
      DEADLINE_DESTROYING_MS: "3000",
      RECONCILE_INTERVAL_MS: "1000",
      LOGS_TIMEOUT_MS: "2000",
    });
    org = await stack.newOrg("deadlines-docker");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** Replaces the stack's workers by these (env overrides each) and waits until they take jobs. */
  async function useWorkers(workers: NodeJS.ProcessEnv[]) {
    await stack.stopWorkers();
    current = workers;
    for (const env of workers) stack.startWorker(env);
    await stack.waitForWorkers(workers.length);
  }
  // Whatever a test did to them, pass or fail, the next one starts with the usual worker.
  afterEach(async () => {
    if (current.length !== 1 || current[0] !== usual) await useWorkers([usual]);
  });

  async function readyTenant(name: string) {
    const res = await spawnViaApi(stack, org.token, { name });
    const ready = await waitForStatus(stack, org.token, res.body.tenant.envId, ["ready", "failed"]);
    expect(ready.status, ready.error).toBe("ready");
    return ready as { envId: number };
  }

  it("a logs request answers 503 with the worker's own failure, and says no worker answered only when none did", async () => {
    const { envId } = await readyTenant("logs-broken");
    const logs = () => stack.api(`/api/v1/tenant/${envId}/logs`, { token: org.token, timeoutMs: 10_000 });

    await useWorkers([unreachableDocker]);
    const failed = await logs();
    expect(failed.status).toBe(503);
    expect(failed.body.error.code).toBe("DEPENDENCY_UNAVAILABLE");
    expect(failed.body.error.message).toMatch(/^the worker could not read the logs: .*ENOENT.*\/nonexistent\/docker\.sock/);

    await useWorkers([]);
    const unanswered = await logs();
    expect(unanswered.status).toBe(503);
    expect(unanswered.body.error.message).toMatch(/no worker answered the logs request within 2000 ms; is a worker running\?/);
    // The unanswered request is taken back: a worker that starts later does not run stale work.
    const counts = await stack.queues.of(jobs.logs).getJobCounts("waiting", "active", "delayed");
    expect(counts).toEqual({ waiting: 0, active: 0, delayed: 0 });

    await useWorkers([usual]);
    const back = await logs();
    expect(back.status).toBe(200);
    expect(back.body.lines.length).toBeGreaterThan(0);
  });

  it("a destroy that keeps failing stays destroying and is retried; past DEADLINE_DESTROYING_MS its error says why; it finishes once Docker answers", async () => {
    const { envId } = await readyTenant("undestroyable");
    await useWorkers([unreachableDocker]);
    const del = await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
    expect(del.status).toBe(202);
    const overdue = await waitFor(
      async () => {
        const t = (await stack.api(`/api/v1/tenant/${envId}/status`, { token: org.token })).body.tenant;
        return t.error ? t : null;
      },
      { timeoutMs: 30_000, what: "the overdue destroy to be reported on the tenant" },
    );
    expect(overdue.status).toBe("destroying");
    expect(overdue.error).toMatch(/^destroy did not finish within 3s \(last failure: .*ENOENT.*\/nonexistent\/docker\.sock.*\); it is retried until it does$/);
    // Nothing was claimed gone: the container is still there for the retries to remove.
    expect(await ownedContainers(stack, envId)).toHaveLength(1);

    // A worker that reaches Docker finishes the same destroy: nobody asked again, so it never left destroying.
    await useWorkers([usual]);
    const destroyed = await waitForStatus(stack, org.token, envId, ["destroyed", "failed"], 60_000);
    expect(destroyed.status).toBe("destroyed");
    expect(await ownedContainers(stack, envId)).toHaveLength(0);
    // The note stays true after the fact: the destroy did not finish within its deadline.
    expect(destroyed.error).toMatch(/^destroy did not finish within 3s/);
  });
});
