/**
 * Warm networks (shared/tenants/warm-networks.ts, DockerRuntime.warmNetworks): the worker keeps
 * the network namespaces of the next free ports set up ahead, each held by a small hardened
 * container; a tenant spawned on such a port joins it instead of having Docker set one up while it
 * starts, answers on its port and address as any tenant does, and leaves it warm for the port's
 * next tenant; a holder that restarts or stopped takes its tenant with it. Real engine, real
 * stack, a port range of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntime } from "../shared/runtime/index.js";
import { tenantAddress, tenantNetwork } from "../shared/runtime/docker/index.js";
import { labelKeys, type ContainerRuntime } from "../shared/runtime/types.js";
import { ownedContainers, removeWarmNetworks, spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";

const MIN = 4901;
const MAX = 4950;
let stack: Stack;
let org: { id: number; token: string };
let runtime: ContainerRuntime;

beforeAll(async () => {
  stack = await startStack("warm-networks", { TENANT_PORT_MIN: String(MIN), TENANT_PORT_MAX: String(MAX), TENANT_WARM_NETWORKS: "2" });
  org = await stack.newOrg();
  runtime = createRuntime(stack.config);
});
afterAll(async () => {
  await stack?.stop();
  // Its holders' addresses are derived from this file's own port range, and would be the
  // addresses of the lowest ports of the next stack's range: they go with it.
  if (stack) await removeWarmNetworks(stack.docker, stack.config.CONVERGENCE_INSTANCE);
});

const holders = async () =>
  (await stack.docker.listContainers({ all: true, filters: { label: [`${labelKeys.netnsOwner}=${stack.config.CONVERGENCE_INSTANCE}`] } }))
    .filter((c) => c.State === "running")
    .map((c) => ({ id: c.Id, port: Number(c.Labels[labelKeys.netnsHostPort]) }))
    .filter((h) => h.port >= MIN && h.port <= MAX)
    .sort((a, b) => a.port - b.port);
const warmPorts = async () => (await holders()).map((h) => h.port).join(",");
const answers = async (port: number) => (await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) }).catch(() => null))?.status === 200;

async function spawnReady(name: string) {
  const res = await spawnViaApi(stack, org.token, { name });
  expect(res.status).toBe(202);
  const tenant = await waitForStatus(stack, org.token, res.body.tenant.envId, ["ready", "failed"]);
  expect(tenant.status, tenant.error).toBe("ready");
  const [container] = await ownedContainers(stack, tenant.envId);
  return { tenant, container: await stack.docker.getContainer(container!.Id).inspect() };
}

describe("warm networks", () => {
  it("are kept for the next two free ports, each held by a hardened container with the port's address and the port published", async () => {
    await waitFor(async () => (await warmPorts()) === `${MIN},${MIN + 1}`, { timeoutMs: 30_000, what: "warm networks on the two lowest ports" });
    const net = tenantNetwork(stack.config.CONVERGENCE_INSTANCE, stack.config.TENANT_NETWORK_SUBNET);
    const h = await stack.docker.getContainer((await holders())[0]!.id).inspect();
    expect(h.HostConfig.PortBindings["3000/tcp"]).toEqual([{ HostIp: "127.0.0.1", HostPort: String(MIN) }]);
    expect(h.NetworkSettings.Networks[net.name]?.IPAMConfig?.IPv4Address).toBe(tenantAddress(net, { min: MIN, max: MAX }, MIN));
    expect(h.HostConfig.ExtraHosts).toContain(`host.docker.internal:${net.gateway}`);
    expect(h.Config.User).toBe("1000:1000");
    expect(h.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(h.HostConfig.SecurityOpt).toContain("no-new-privileges:true");
    expect(h.HostConfig.ReadonlyRootfs).toBe(true);
    expect(h.HostConfig.Memory).toBeGreaterThan(0);
    // A holder is no tenant's container: the platform's list of tenants' containers leaves it out.
    expect((await runtime.listOwned()).map((c) => c.name)).not.toContain(h.Name.replace(/^\//, ""));
  });

  it("a tenant on a warm port joins its network, answers there, and leaves it warm for the port's next tenant", async () => {
    const first = await spawnReady("warm-1");
    expect(first.tenant.port).toBe(MIN);
    const holder = (await holders()).find((h) => h.port === MIN)!;
    expect(first.container.HostConfig.NetworkMode).toBe(`container:${holder.id}`);
    expect(await answers(MIN)).toBe(true);
    // Port and address come from the holder, as the ingress and the health sweep read them.
    const net = tenantNetwork(stack.config.CONVERGENCE_INSTANCE, stack.config.TENANT_NETWORK_SUBNET);
    const info = (await runtime.inspect(first.container.Name.replace(/^\//, "")))!;
    expect(info.hostPort).toBe(MIN);
    expect(info.ingressAddress).toBe(`${tenantAddress(net, { min: MIN, max: MAX }, MIN)}:3000`);
    expect((await runtime.listOwned()).find((c) => c.name === info.name)).toMatchObject({ hostPort: MIN, ingressAddress: info.ingressAddress, address: info.address });
    // The next free ports are kept warm in its place.
    await waitFor(async () => (await warmPorts()) === `${MIN},${MIN + 1},${MIN + 2}`, { timeoutMs: 30_000, what: "the next ports kept warm" });

    await stack.api(`/api/v1/tenant/${first.tenant.envId}`, { method: "DELETE", token: org.token });
    await waitForStatus(stack, org.token, first.tenant.envId, ["destroyed"]);
    expect(await ownedContainers(stack, first.tenant.envId)).toHaveLength(0);
    // Its port is among the next two again: its holder stays, the third goes.
    await waitFor(async () => (await warmPorts()) === `${MIN},${MIN + 1}`, { timeoutMs: 30_000, what: "back to two warm networks" });
    expect((await holders()).find((h) => h.port === MIN)?.id).toBe(holder.id);

    const second = await spawnReady("warm-2");
    expect(second.tenant.port).toBe(MIN);
    expect(second.container.HostConfig.NetworkMode).toBe(`container:${holder.id}`);
    expect(await answers(MIN)).toBe(true);
    await stack.api(`/api/v1/tenant/${second.tenant.envId}`, { method: "DELETE", token: org.token });
    await waitForStatus(stack, org.token, second.tenant.envId, ["destroyed"]);
  });

  it("a holder restarted under a running tenant has the tenant restarted into its new namespace", async () => {
    const { tenant, container } = await spawnReady("warm-rejoin");
    const holderId = (container.HostConfig.NetworkMode ?? "").slice("container:".length);
    await stack.docker.getContainer(holderId).restart({ t: 1 });
    // The worker sees the holder start and restarts the tenant's container, which was cut off.
    await waitFor(() => answers(tenant.port), { timeoutMs: 30_000, what: "the tenant answering again" });
    const after = await stack.docker.getContainer(container.Id).inspect();
    expect(Date.parse(after.State.StartedAt)).toBeGreaterThan(Date.parse(container.State.StartedAt));
    await stack.api(`/api/v1/tenant/${tenant.envId}`, { method: "DELETE", token: org.token });
    await waitForStatus(stack, org.token, tenant.envId, ["destroyed"]);
  });

  it("a tenant whose holder was stopped (an engine restart, say) is started with it", async () => {
    const { tenant, container } = await spawnReady("warm-restart");
    const holderId = (container.HostConfig.NetworkMode ?? "").slice("container:".length);
    await stack.docker.getContainer(container.Id).stop({ t: 1 });
    await stack.docker.getContainer(holderId).stop({ t: 1 });
    expect(await answers(tenant.port)).toBe(false);

    await runtime.start(container.Name.replace(/^\//, ""));
    expect((await stack.docker.getContainer(holderId).inspect()).State.Running).toBe(true);
    await waitFor(() => answers(tenant.port), { timeoutMs: 30_000, what: "the tenant answering again" });
    await stack.api(`/api/v1/tenant/${tenant.envId}`, { method: "DELETE", token: org.token });
    await waitForStatus(stack, org.token, tenant.envId, ["destroyed"]);
  });
});
