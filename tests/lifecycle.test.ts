/** The quick-reference flow over HTTP, against a running API and worker and real containers. */
import { eq } from "drizzle-orm";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portLeases, tenantEvents } from "../shared/db/schema.js";
import { tenantNetwork } from "../shared/runtime/docker/index.js";
import { labelKeys } from "../shared/runtime/types.js";
import { TEST_CONTAINER_PREFIX, execIn, networkOwner, ownedContainers, spawnViaApi, startStack, waitForStatus, type Stack } from "./helpers/stack.js";

/** Prints the CPU share the container's cgroup allows (quota ÷ period), cgroup v1 or v2; "max" when unlimited. */
const cgroupCpuShare = `const fs = require("node:fs");
const v2 = fs.existsSync("/sys/fs/cgroup/cpu.max") && fs.readFileSync("/sys/fs/cgroup/cpu.max", "utf8").trim().split(" ");
const [quota, period] = v2 || ["cpu.cfs_quota_us", "cpu.cfs_period_us"].map((f) => fs.readFileSync("/sys/fs/cgroup/cpu/" + f, "utf8").trim());
console.log(quota === "max" || quota === "-1" ? "max" : Number(quota) / Number(period));`;

let stack: Stack;
let org: { id: number; token: string };

beforeAll(async () => {
  stack = await startStack("lifecycle");
  org = await stack.newOrg();
});
afterAll(async () => {
  await stack?.stop();
});

/** Removes the warm network (its holder) of `port`, if the worker keeps one. */
async function removeWarmNetworkOf(port: number) {
  const holders = await stack.docker.listContainers({ all: true, filters: { label: [`${labelKeys.netnsOwner}=${stack.config.CONVERGENCE_INSTANCE}`, `${labelKeys.netnsHostPort}=${port}`] } });
  await Promise.all(holders.map((h) => stack.docker.getContainer(h.Id).remove({ force: true })));
}

describe("tenant lifecycle", () => {
  it("a spawned tenant becomes ready, answers on its port with the contract's environment, shows logs, and is destroyed", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "my-app" });
    expect(res.status).toBe(202);
    expect(res.body.success).toBe(true);
    const t = res.body.tenant;
    expect(t).toMatchObject({ status: "pending", name: "my-app", language: "node", framework: "express" });
    expect(t.apiKey).toMatch(/^sk_tenant_[A-Za-z0-9_-]{20,}$/);
    expect(t.port).toBeGreaterThanOrEqual(4001);
    expect(res.headers.get("location")).toBe(`/api/v1/tenant/${t.envId}/status`);

    const ready = await waitForStatus(stack, org.token, t.envId, ["ready", "failed"]);
    expect(ready.status).toBe("ready");
    expect(ready.readyAt).not.toBeNull();

    // The tenant's own app answers on its host port.
    const health = await fetch(`http://127.0.0.1:${t.port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", tenant: `tenant_${t.envId}` });
    const page = await (await fetch(`http://127.0.0.1:${t.port}/`)).text();
    expect(page).toContain("my-app");

    // Inside the container: exactly the contract's variables.
    const name = `${TEST_CONTAINER_PREFIX}${t.envId}`;
    const envJson = await execIn(stack.docker, name, ["node", "-e", "console.log(JSON.stringify(process.env))"]);
    const env = JSON.parse(envJson) as Record<string, string>;
    const contract = Object.fromEntries(Object.entries(env).filter(([k]) => /^(CONVERGENCE_|TENANT_)/.test(k)));
    expect(contract).toEqual({
      CONVERGENCE_API_URL: `http://host.docker.internal:${stack.config.PORT}/api/v1`,
      CONVERGENCE_API_KEY: t.apiKey,
      CONVERGENCE_ORG_ID: String(org.id),
      CONVERGENCE_ENV_ID: String(t.envId),
      TENANT_ID: `tenant_${t.envId}`,
      TENANT_NAME: "my-app",
    });

    // Hardening as promised.
    const inspect = await stack.docker.getContainer(name).inspect();
    expect(inspect.Config.User).toBe("1000:1000");
    expect(inspect.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(inspect.HostConfig.SecurityOpt).toContain("no-new-privileges:true");
    expect(inspect.HostConfig.ReadonlyRootfs).toBe(true);
    // Exactly the configured limits once ready (the CPU quota is applied after the app starts:
    // shared/tenants/provision.ts), and the quota in force in the container's own cgroup.
    expect(inspect.HostConfig.NanoCpus).toBe(Math.round(stack.config.TENANT_CPUS * 1e9));
    expect(inspect.HostConfig.Memory).toBe(stack.config.TENANT_MEMORY_MB * 1024 * 1024);
    expect(inspect.HostConfig.MemorySwap).toBe(stack.config.TENANT_MEMORY_MB * 1024 * 1024);
    expect(inspect.HostConfig.PidsLimit).toBe(stack.config.TENANT_PIDS_LIMIT);
    const cpuShare = await execIn(stack.docker, name, ["node", "-e", cgroupCpuShare]);
    expect(Number(cpuShare)).toBeCloseTo(stack.config.TENANT_CPUS, 5);
    // On the instance's isolated bridge, where the master is that bridge's gateway.
    const network = tenantNetwork(stack.config.CONVERGENCE_INSTANCE, stack.config.TENANT_NETWORK_SUBNET);
    // (Its own network, or the warm one it joined: the same either way.)
    const networked = await networkOwner(stack.docker, name);
    expect(networked.HostConfig.NetworkMode).toBe(network.name);
    expect(networked.HostConfig.ExtraHosts).toContain(`host.docker.internal:${network.gateway}`);
    expect(inspect.Config.Labels["io.convergence.env-id"]).toBe(String(t.envId));

    const logs = await stack.api(`/api/v1/tenant/${t.envId}/logs?tail=50`, { token: org.token });
    expect(logs.status).toBe(200);
    expect(logs.body.lines.join("\n")).toContain(`tenant_${t.envId} (my-app) listening on 3000`);

    const del = await stack.api(`/api/v1/tenant/${t.envId}`, { method: "DELETE", token: org.token });
    expect(del.status).toBe(202);
    expect(["destroying", "destroyed"]).toContain(del.body.tenant.status);
    const gone = await waitForStatus(stack, org.token, t.envId, ["destroyed"]);
    expect(gone.destroyedAt).not.toBeNull();
    expect(await ownedContainers(stack, t.envId)).toHaveLength(0);
    expect(await stack.db.select().from(portLeases).where(eq(portLeases.envId, t.envId))).toHaveLength(0);

    // Every transition was recorded, in order.
    const events = await stack.db.select().from(tenantEvents).where(eq(tenantEvents.envId, t.envId)).orderBy(tenantEvents.id);
    expect(events.map((e) => e.toStatus)).toEqual(["pending", "provisioning", "starting", "ready", "destroying", "destroyed"]);

    // The port is free again: the next tenant gets it.
    const next = await spawnViaApi(stack, org.token, { name: "next-app" });
    expect(next.body.tenant.port).toBe(t.port);
    await stack.api(`/api/v1/tenant/${next.body.tenant.envId}`, { method: "DELETE", token: org.token });
    await waitForStatus(stack, org.token, next.body.tenant.envId, ["destroyed"]);
  });

  it("a host port taken by something outside the platform is passed over for the next free one", async () => {
    // Learn the port the next spawn will get, free it again, and occupy it from outside.
    const probe = await spawnViaApi(stack, org.token, { name: "probe" });
    const taken: number = probe.body.tenant.port;
    await stack.api(`/api/v1/tenant/${probe.body.tenant.envId}`, { method: "DELETE", token: org.token });
    await waitForStatus(stack, org.token, probe.body.tenant.envId, ["destroyed"]);
    // The port's warm network (if it has one) holds it for the platform: without it, the port is
    // free for anyone, and this squatter takes it before the worker can keep it warm again.
    await removeWarmNetworkOf(taken);
    const squatter = createServer(() => {});
    await new Promise<void>((r) => squatter.listen(taken, "127.0.0.1", r));
    try {
      const res = await spawnViaApi(stack, org.token, { name: "displaced" });
      expect(res.body.tenant.port).toBe(taken);
      const ready = await waitForStatus(stack, org.token, res.body.tenant.envId, ["ready", "failed"]);
      expect(ready.status).toBe("ready");
      expect(ready.port).not.toBe(taken);
      expect((await fetch(`http://127.0.0.1:${ready.port}/health`)).status).toBe(200);
      await stack.api(`/api/v1/tenant/${ready.envId}`, { method: "DELETE", token: org.token });
      await waitForStatus(stack, org.token, ready.envId, ["destroyed"]);
    } finally {
      squatter.close();
    }
  });

  it("a second template (node/hono) is provisioned the same way", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "hono-app", framework: "hono" });
    expect(res.status).toBe(202);
    const ready = await waitForStatus(stack, org.token, res.body.tenant.envId, ["ready", "failed"]);
    expect(ready.status).toBe("ready");
    expect(await (await fetch(`http://127.0.0.1:${ready.port}/`)).text()).toContain("Hono");
    await stack.api(`/api/v1/tenant/${ready.envId}`, { method: "DELETE", token: org.token });
    await waitForStatus(stack, org.token, ready.envId, ["destroyed"]);
  });

  it("the same Idempotency-Key returns the same tenant instead of a second one", async () => {
    const headers = { "Idempotency-Key": "create-my-app-once" };
    const [a, b] = await Promise.all([spawnViaApi(stack, org.token, { name: "idem" }, headers), spawnViaApi(stack, org.token, { name: "idem" }, headers)]);
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(b.body.tenant.envId).toBe(a.body.tenant.envId);
    expect(b.body.tenant.apiKey).toBe(a.body.tenant.apiKey);
    const other = await spawnViaApi(stack, org.token, { name: "different" }, headers);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    await stack.api(`/api/v1/tenant/${a.body.tenant.envId}`, { method: "DELETE", token: org.token });
    await waitForStatus(stack, org.token, a.body.tenant.envId, ["destroyed"]);
  });

  it("lists the organisation's tenants newest first, with a status filter and cursor pagination", async () => {
    const own = await stack.newOrg("lifecycle-list"); // its tenants are exactly the ones made here
    const created: number[] = [];
    for (const name of ["list-a", "list-b", "list-c"]) created.push((await spawnViaApi(stack, own.token, { name })).body.tenant.envId);
    const ids = (r: { body: { tenants: { envId: number }[] } }) => r.body.tenants.map((t) => t.envId);
    const page1 = await stack.api(`/api/v1/tenant?org_id=${own.id}&limit=2`, { token: own.token });
    expect(page1.status).toBe(200);
    expect(ids(page1)).toEqual([created[2], created[1]]);
    expect(page1.body.nextCursor).not.toBeNull();
    const page2 = await stack.api(`/api/v1/tenant?org_id=${own.id}&limit=2&cursor=${page1.body.nextCursor}`, { token: own.token });
    expect(ids(page2)).toEqual([created[0]]);
    expect(page2.body.nextCursor).toBeNull();

    await stack.api(`/api/v1/tenant/${created[0]}`, { method: "DELETE", token: own.token });
    await waitForStatus(stack, own.token, created[0]!, ["destroyed"]);
    expect(ids(await stack.api(`/api/v1/tenant?status=destroyed`, { token: own.token }))).toEqual([created[0]]);
    const live = await stack.api(`/api/v1/tenant?status=pending,provisioning,starting,ready,unhealthy`, { token: own.token });
    expect(ids(live)).toEqual([created[2], created[1]]);
  });

  it("serves an OpenAPI document and an API reference page over it", async () => {
    const doc = await stack.api("/openapi.json");
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(["/api/v1/tenant/spawn", "/api/v1/tenant/{id}/status", "/api/v1/tenant", "/api/v1/tenant/{id}", "/api/v1/tenant/{id}/logs"]),
    );
    const docs = await fetch(`${stack.url}/docs`);
    expect(docs.headers.get("content-type")).toContain("text/html");
    expect(await docs.text()).toContain("/openapi.json"); // rendered in a browser: tests/docs.test.ts
  });
});
