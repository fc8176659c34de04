/** A tenant that never becomes healthy ends `failed`, says why, and leaves nothing behind. */
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portLeases } from "../shared/db/schema.js";
import { createIngress } from "../shared/ingress/index.js";
import { ownedContainers, spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";

let stack: Stack;
let org: { id: number; token: string };

beforeAll(async () => {
  // Tenants here are also told the master lives where nothing listens, to see the starter app's 502.
  stack = await startStack("failure", {
    TENANT_READY_TIMEOUT_MS: "3000",
    PROVISION_ATTEMPTS: "2",
    PROVISION_BACKOFF_MS: "200",
    PUBLIC_API_URL: "http://host.docker.internal:9/api/v1",
  });
  org = await stack.newOrg();
});
afterAll(async () => {
  await stack?.stop();
});

describe("provisioning failure", () => {
  it("a template whose health check never passes ends failed with a readable error, no container, and its port freed", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "broken", framework: "unhealthy" });
    expect(res.status).toBe(202);
    const { envId } = res.body.tenant;
    // Its route is published while its app starts (to the container's own address), so that it is
    // in place the moment the app answers; failing withdraws it.
    const ingress = createIngress(stack.config);
    const routed = await waitFor(
      async () => {
        const [route, status] = await Promise.all([
          ingress.listRoutes().then((routes) => routes.find((r) => r.envId === envId)),
          stack.api(`/api/v1/tenant/${envId}/status`, { token: org.token }).then((r) => r.body.tenant.status as string),
        ]);
        return route && status === "starting" ? route : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, what: "the route of a starting tenant" },
    );
    expect(routed.upstream).toMatch(/^\d+\.\d+\.\d+\.\d+:3000$/);
    const failed = await waitForStatus(stack, org.token, envId, ["failed", "ready"], 60_000);
    expect((await ingress.listRoutes()).filter((r) => r.envId === envId)).toHaveLength(0);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/step "health"/);
    expect(failed.error).toMatch(/HTTP 500/);
    expect(await ownedContainers(stack, envId)).toHaveLength(0);
    expect(await stack.db.select().from(portLeases).where(eq(portLeases.envId, envId))).toHaveLength(0);

    // A failed tenant can still be destroyed; the row stays.
    const del = await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
    expect(del.status).toBe(202);
    await waitForStatus(stack, org.token, envId, ["destroyed"]);
  });

  it("a starter app whose master cannot be reached answers 502 with a clear message", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "orphaned-app" });
    const ready = await waitForStatus(stack, org.token, res.body.tenant.envId, ["ready", "failed"]);
    expect(ready.status).toBe("ready");
    const call = await fetch(`http://127.0.0.1:${ready.port}/api/converge`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: "hi", agentARole: "A", agentBRole: "B" }),
    });
    expect(call.status).toBe(502);
    const body = await call.json();
    expect(body.success).toBe(false);
    expect(body.error.code).toBe("UPSTREAM_UNREACHABLE");
    expect(body.error.message).toMatch(/could not be reached/);
    await stack.api(`/api/v1/tenant/${ready.envId}`, { method: "DELETE", token: org.token });
    await waitForStatus(stack, org.token, ready.envId, ["destroyed"]);
  });

  it("a worker started with another ENCRYPTION_KEY refuses to start, saying so, instead of failing tenants later", async () => {
    const worker = stack.startWorker({ ENCRYPTION_KEY: randomBytes(32).toString("base64") });
    const code = await new Promise<number | null>((resolve) => (worker.exitCode !== null ? resolve(worker.exitCode) : worker.once("exit", resolve)));
    expect(code).toBe(78);
    expect(stack.runningWorkers()).toBe(1); // the stack's own worker, untouched
  });
});
