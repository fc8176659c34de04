/** At-least-once delivery plus idempotent handlers: a worker killed mid-provisioning loses nothing. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getTenant } from "../shared/tenants/queries.js";
import { ownedContainers, spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";

let stack: Stack;
let org: { id: number; token: string };

beforeAll(async () => {
  // A slow health deadline is not needed; a short lock lets a new worker take the job over quickly.
  stack = await startStack("crash", {}, { workers: 0 });
  org = await stack.newOrg();
});
afterAll(async () => {
  await stack?.stop();
});

describe("worker crash", () => {
  it("a worker killed with SIGKILL mid-provisioning is replaced, and the tenant still becomes ready with exactly one container", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "crash-me" });
    expect(res.status).toBe(202);
    const envId: number = res.body.tenant.envId;

    const first = stack.startWorker();
    // Kill it once the container exists but before the tenant is ready.
    await waitFor(
      async () => {
        const t = await getTenant(stack.db, envId);
        return t?.status === "starting" || (await ownedContainers(stack, envId)).length > 0;
      },
      { intervalMs: 10, timeoutMs: 60_000, what: "provisioning to be under way" },
    );
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const mid = await getTenant(stack.db, envId);
    expect(["provisioning", "starting"]).toContain(mid?.status);

    stack.startWorker();
    const ready = await waitForStatus(stack, org.token, envId, ["ready", "failed"], 120_000);
    expect(ready.status).toBe("ready");
    const containers = await ownedContainers(stack, envId);
    expect(containers).toHaveLength(1);
    expect((await fetch(`http://127.0.0.1:${ready.port}/health`)).status).toBe(200);
    // The first worker may have died after starting the container without its CPU quota: the one that
    // finished the job applied it.
    const inspect = await stack.docker.getContainer(containers[0]!.Id).inspect();
    expect(inspect.HostConfig.NanoCpus).toBe(Math.round(stack.config.TENANT_CPUS * 1e9));

    await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
    await waitForStatus(stack, org.token, envId, ["destroyed"]);
    expect(await ownedContainers(stack, envId)).toHaveLength(0);
  });
});
