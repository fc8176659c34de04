/**
 * The whole platform with CONVERGENCE_RUNTIME=swarm, through the API and real worker processes, on
 * a real local swarm (this engine as manager, two worker engines in network namespaces, a private
 * registry; shared with the other swarm suite of the run): tenants spread over the nodes and
 * answer at the address their status reports and at their HTTPS url through the ingress (Caddy on
 * this host, routing to the node's address); they cannot reach each other on one node or across
 * nodes; a node's engine killed outright, its tenants come back on the other node by themselves
 * with the two webhooks and their ingress route follows them; destroy frees everything (the
 * hostnames answer 404); a worker killed mid-provision leaves one
 * service; orphan services with the platform's labels are reaped, others left alone.
 */
import type Docker from "dockerode";
import { eq, inArray } from "drizzle-orm";
import { createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import { describe, expect } from "vitest";
import { managerDocker, managerSocket } from "../scripts/cluster/swarm.js";
import { netnsPath } from "../scripts/cluster/network.js";
import { run } from "../scripts/cluster/sys.js";
import { keySecretName, SECRET_OF_LABEL } from "../shared/runtime/swarm/index.js";
import { portLeases, tenantEvents } from "../shared/db/schema.js";
import { labelKeys } from "../shared/runtime/types.js";
import { tenantUrl } from "../shared/ingress/hostname.js";
import { createIngress } from "../shared/ingress/index.js";
import { getTenant } from "../shared/tenants/queries.js";
import { httpsGet } from "./helpers/https.js";
import { startReceiver } from "./helpers/receiver.js";
import { startStack, TEST_CONTAINER_PREFIX, TEST_OWNER, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";
import { swarmTest, type LocalSwarm } from "./helpers/swarm.js";
import { execIn, outcomes, probeFrom } from "./helpers/tenants.js";
import type { NodeState } from "../scripts/cluster/state.js";

const FLEET = 6;

interface Placed {
  envId: number;
  name: string;
  apiKey: string;
  status: string;
  address: string;
  url: string;
  port: number;
  node: { id: string; hostname: string; address: string };
}

const test = swarmTest.extend<{
  receiver: Awaited<ReturnType<typeof startReceiver>>;
  stack: Stack;
  org: { id: number; token: string };
  /** Six tenants spawned through the API and ready; destroyed after the file. */
  fleet: Placed[];
}>({
  receiver: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const receiver = await startReceiver();
      try {
        await use(receiver);
      } finally {
        await receiver.close();
      }
    },
    { scope: "file" },
  ],
  stack: [
    async ({ swarm, receiver }, use) => {
      const stack = await startStack("swarm", {
        CONVERGENCE_RUNTIME: "swarm",
        // The suite's own swarm (tests/helpers/swarm.ts): its manager is not this machine's engine.
        DOCKER_SOCKET: managerSocket(),
        SWARM_REGISTRY: swarm.registry,
        SWARM_MASTER_ADDRESS: swarm.managerAddress,
        HEALTH_INTERVAL_MS: "2000",
        // So high that only what the runtime reports (a task rescheduled, a node down) can make a tenant unhealthy within the tests' deadlines.
        HEALTH_FAILURE_THRESHOLD: "30",
        RECONCILE_INTERVAL_MS: "2000",
        ORPHAN_GRACE_MS: "4000",
        TENANT_MEMORY_MB: "128",
        // Below the ports tests/swarm-runtime.test.ts takes from the top of the range.
        TENANT_PORT_MAX: String(Number(process.env.TEST_PORT_MAX ?? 4999) - 50),
        WEBHOOK_ALLOWED_HOSTS: new URL(receiver.url).host,
        WEBHOOK_BACKOFF_MS: "200",
      });
      try {
        await use(stack);
      } finally {
        await stack.stop();
      }
    },
    { scope: "file" },
  ],
  org: [async ({ stack }, use) => use(await stack.newOrg("swarm")), { scope: "file" }],
  fleet: [
    async ({ stack, org, receiver }, use) => {
      const envIds: number[] = [];
      const keys = new Map<number, string>();
      try {
        for (let i = 1; i <= FLEET; i++) {
          const res = await stack.api("/api/v1/tenant/spawn", { token: org.token, body: { name: `fleet-${i}`, language: "node", framework: "express", webhookUrl: receiver.url } });
          expect(res.status, JSON.stringify(res.body)).toBe(202);
          envIds.push(res.body.tenant.envId);
          keys.set(res.body.tenant.envId, res.body.tenant.apiKey);
        }
        const ready: Placed[] = [];
        for (const envId of envIds) {
          const t = await waitForStatus(stack, org.token, envId, ["ready", "failed"], 120_000);
          expect(t.status, t.error).toBe("ready");
          ready.push({ ...t, apiKey: keys.get(envId)! });
        }
        // Their tenant.ready webhooks are in, so later tests see only what they cause.
        await waitFor(async () => envIds.every((id) => receiver.events().some((e) => e.json.type === "tenant.ready" && e.json.data.envId === id)), {
          timeoutMs: 30_000,
          what: "every tenant.ready webhook",
        });
        await use(ready);
      } finally {
        await Promise.all(envIds.map((id) => stack.api(`/api/v1/tenant/${id}`, { method: "DELETE", token: org.token })));
        await Promise.all(envIds.map((id) => waitForStatus(stack, org.token, id, ["destroyed"], 60_000).catch(() => {})));
      }
    },
    { scope: "file" },
  ],
});

const status = async (stack: Stack, token: string, envId: number) => (await stack.api(`/api/v1/tenant/${envId}/status`, { token })).body.tenant as Placed;

async function healthAt(address: string): Promise<number | string> {
  try {
    const res = await fetch(`http://${address}/health`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status;
  } catch (err) {
    return (err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
  }
}

/** The running task container of a tenant's service, found on the node its status names. */
async function taskContainer(swarm: LocalSwarm, name: string, node: NodeState): Promise<{ docker: Docker; id: string; ip: string }> {
  const docker = swarm.nodeDocker(node);
  const [c] = await docker.listContainers({ filters: { label: [`com.docker.swarm.service.name=${name}`], status: ["running"] } });
  if (!c) throw new Error(`no running container of ${name} on ${node.hostname}`);
  return { docker, id: c.Id, ip: Object.values(c.NetworkSettings.Networks)[0]?.IPAddress ?? "" };
}

/** Running task containers of a service across every node. */
async function runningContainers(swarm: LocalSwarm, name: string) {
  const perNode = await Promise.all(
    swarm.nodes.map(async (node) =>
      (
        await swarm
          .nodeDocker(node)
          .listContainers({ filters: { label: [`com.docker.swarm.service.name=${name}`], status: ["running"] } })
          .catch(() => [])
      ).map(() => node.n),
    ),
  );
  return perNode.flat();
}

/** GET through the stack's ingress (the machine's Caddy), trusting its CA. */
async function viaIngress(stack: Stack, url: string): Promise<{ status: number; body: string } | string> {
  const ca = (await createIngress(stack.config).caCertificate())!;
  return httpsGet(url, ca).catch((err: Error) => err.message);
}

/** Whether the tenant's hostname reaches its own app through the ingress, and the route dials `address`. */
async function routedTo(stack: Stack, t: { envId: number; url: string }, address: string): Promise<boolean> {
  const route = (await createIngress(stack.config).listRoutes()).find((r) => r.envId === t.envId);
  const reply = await viaIngress(stack, `${t.url}/health`);
  return route?.upstream === address && typeof reply !== "string" && reply.status === 200 && reply.body.includes(`"tenant":"tenant_${t.envId}"`);
}

const servicesOf = async (envId: number) => managerDocker().listServices({ filters: { label: [`${labelKeys.owner}=${TEST_OWNER}`, `${labelKeys.envId}=${envId}`] } });

const secretsOf = async (envId: number) =>
  managerDocker().listSecrets({ filters: { label: [`${labelKeys.owner}=${TEST_OWNER}`, `${labelKeys.envId}=${envId}`] } }) as Promise<Array<{ ID: string; Spec: { Name: string } }>>;

/** The IPv6 link-local address (EUI-64) an interface with this MAC gets when IPv6 is on. */
function linkLocal(mac: string): string {
  const b = mac.split(":").map((x) => parseInt(x, 16));
  const words = [((b[0]! ^ 2) << 8) | b[1]!, (b[2]! << 8) | 0xff, (0xfe << 8) | b[3]!, (b[4]! << 8) | b[5]!];
  return `fe80::${words.map((w) => w.toString(16)).join(":")}`;
}

/** A command run in a node's network namespace (its firewall, its interfaces). */
const inNode = (node: NodeState, cmd: string, args: string[]) => run("nsenter", [`--net=${netnsPath(node.netns)}`, cmd, ...args]);

const listChain = async (node: NodeState, bin: string, chain: string) => (await inNode(node, bin, ["-w", "5", "-t", "filter", "-S", chain])).split("\n").filter((l) => l.startsWith("-A "));

/** The node agent's forward chain on a node, in the iptables backend the node's dockerd uses. */
async function agentForwardChain(node: NodeState): Promise<{ bin: string; chain: string; rules: string[] }> {
  for (const bin of ["iptables-nft", "iptables-legacy"]) {
    const jumps = await inNode(node, bin, ["-w", "5", "-t", "filter", "-S", "DOCKER-USER"]).catch(() => null);
    const chain = jumps?.match(/ -j (CVG\w+-\w+-F)$/m)?.[1];
    if (chain) return { bin, chain, rules: await listChain(node, bin, chain) };
  }
  throw new Error(`no node agent chain on ${node.hostname}`);
}

describe("the platform on a real local swarm (CONVERGENCE_RUNTIME=swarm)", () => {
  test("six tenants spawned through the API are ready on both nodes, each answering at its address with the contract's environment", async ({ swarm, stack, org, fleet }) => {
    const nodeAddresses = swarm.nodes.map((n) => n.address);
    for (const t of fleet) {
      expect(nodeAddresses).toContain(t.node.address);
      expect(t.node.hostname).toBe(swarm.nodeById(t.node.id)?.hostname);
      expect(t.address).toBe(`${t.node.address}:${t.port}`);
      expect(await healthAt(t.address)).toBe(200);
      // Its url is its hostname on the ingress, whose route dials the node's address.
      expect(t.url).toBe(tenantUrl(stack.config, t));
      expect(await routedTo(stack, t, t.address)).toBe(true);
    }
    expect(new Set(fleet.map((t) => t.node.id)).size).toBeGreaterThanOrEqual(2);
    // Ports are unique across the cluster, not only per node.
    expect(new Set(fleet.map((t) => t.port)).size).toBe(FLEET);
    // The list answer shows the same placement.
    const listed = await stack.api(`/api/v1/tenant?org_id=${org.id}&status=ready`, { token: org.token });
    for (const t of fleet) expect(listed.body.tenants.find((x: Placed) => x.envId === t.envId)).toMatchObject({ node: t.node, address: t.address });

    // Inside one tenant: the contract's variables, its key as a secret file, and the master's API answers a convergence call made with its key.
    const t = fleet[0]!;
    const { docker, id } = await taskContainer(swarm, `${TEST_CONTAINER_PREFIX}${t.envId}`, swarm.nodeById(t.node.id)!);
    const env = JSON.parse((await execIn(docker, id, ["node", "-e", "console.log(JSON.stringify(process.env))"])).stdout) as Record<string, string>;
    const contract = Object.fromEntries(Object.entries(env).filter(([k]) => /^(CONVERGENCE_|TENANT_)/.test(k)));
    expect(Object.keys(contract).sort()).toEqual(["CONVERGENCE_API_KEY_FILE", "CONVERGENCE_API_URL", "CONVERGENCE_ENV_ID", "CONVERGENCE_ORG_ID", "TENANT_ID", "TENANT_NAME"]);
    expect(contract).toMatchObject({
      CONVERGENCE_API_URL: `http://host.docker.internal:${stack.config.PORT}/api/v1`,
      CONVERGENCE_ORG_ID: String(org.id),
      CONVERGENCE_ENV_ID: String(t.envId),
      TENANT_ID: `tenant_${t.envId}`,
      TENANT_NAME: t.name,
    });
    const keyFile = await execIn(docker, id, ["node", "-e", "process.stdout.write(require('fs').readFileSync(process.env.CONVERGENCE_API_KEY_FILE, 'utf8'))"]);
    expect(keyFile.stdout).toBe(t.apiKey);
    const converge = await fetch(`http://${t.address}/api/converge`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: "Design a cache", agentARole: "Architect", agentBRole: "Reviewer" }),
    });
    expect(converge.status).toBe(200);
    expect((await converge.json()).result).toMatchObject({ provider: "offline" });
    const usage = await stack.api(`/api/v1/usage?org_id=${org.id}&tenant_id=tenant_${t.envId}`, { token: org.token });
    expect(usage.body.tenants).toEqual([expect.objectContaining({ tenantId: `tenant_${t.envId}`, calls: 1 })]);

    // Logs come through the service logs API.
    const logs = await stack.api(`/api/v1/tenant/${t.envId}/logs?tail=20`, { token: org.token });
    expect(logs.status).toBe(200);
    expect(logs.body.lines.join("\n")).toContain(`tenant_${t.envId} (${t.name}) listening on 3000`);
  });

  test("a tenant's key is a platform-owned Docker secret, never in its service's spec", async ({ fleet }) => {
    const docker = managerDocker();
    for (const t of fleet) {
      const [service] = await servicesOf(t.envId);
      // What anyone allowed to inspect services (docker service inspect) sees: no key anywhere.
      expect(JSON.stringify(service).includes(t.apiKey), "the key appears in the service").toBe(false);
      const container = (service!.Spec!.TaskTemplate as Docker.ContainerTaskSpec).ContainerSpec!;
      expect(container.Env!.filter((e) => e.startsWith("CONVERGENCE_API_KEY"))).toEqual(["CONVERGENCE_API_KEY_FILE=/run/secrets/convergence-api-key"]);
      const [ref] = container.Secrets!;
      expect(ref).toMatchObject({ SecretName: keySecretName(`${TEST_CONTAINER_PREFIX}${t.envId}`, t.apiKey), File: { Name: "convergence-api-key", UID: "1000", GID: "1000", Mode: 0o400 } });
      const secret = await docker.getSecret(ref!.SecretID!).inspect();
      expect(secret.Spec?.Labels).toMatchObject({ [labelKeys.owner]: TEST_OWNER, [labelKeys.envId]: String(t.envId) });
    }
  });

  test("a tenant's key rotated: the service runs with a new secret, the old one is gone, and the new key converges", async ({ swarm, stack, org, fleet }) => {
    const t = fleet[1]!;
    const before = await secretsOf(t.envId);
    expect(before).toHaveLength(1);
    const res = await stack.api(`/api/v1/tenant/${t.envId}/rotate-key`, { method: "POST", token: org.token });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const apiKey: string = res.body.tenant.apiKey;
    const ready = await waitForStatus(stack, org.token, t.envId, ["ready", "failed"], 120_000);
    expect(ready.status, ready.error).toBe("ready");
    const after = await secretsOf(t.envId);
    expect(after.map((s) => s.Spec.Name)).toEqual([keySecretName(`${TEST_CONTAINER_PREFIX}${t.envId}`, apiKey)]);
    expect(after[0]!.ID).not.toBe(before[0]!.ID);
    const { docker, id } = await taskContainer(swarm, `${TEST_CONTAINER_PREFIX}${t.envId}`, swarm.nodeById(ready.node.id)!);
    const keyFile = await execIn(docker, id, ["node", "-e", "process.stdout.write(require('fs').readFileSync(process.env.CONVERGENCE_API_KEY_FILE, 'utf8'))"]);
    expect(keyFile.stdout).toBe(apiKey);
    const converge = await fetch(`http://${ready.address}/api/converge`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: "Design a queue", agentARole: "Architect", agentBRole: "Reviewer" }),
    });
    expect(converge.status).toBe(200);
    t.apiKey = apiKey;
    Object.assign(t, { address: ready.address, node: ready.node });
  });

  test("the node agent restores its exact rules when one is replaced by a different one (same count)", async ({ swarm, fleet }) => {
    expect(fleet.length).toBeGreaterThan(0); // the agent runs once tenants do
    const node = swarm.nodes[0]!;
    const { bin, chain, rules } = await agentForwardChain(node);
    // Swap the rule that drops new connections to tenants for one that accepts them: same number of rules.
    const index = rules.findIndex((r) => / -o docker0 -j DROP$/.test(r));
    expect(index).toBeGreaterThanOrEqual(0);
    const tampered = rules[index]!.replace(/^-A \S+ /, "")
      .replace(/-j DROP$/, "-j ACCEPT")
      .split(" ");
    await inNode(node, bin, ["-w", "5", "-t", "filter", "-R", chain, String(index + 1), ...tampered]);
    const now = await listChain(node, bin, chain);
    expect(now).toHaveLength(rules.length);
    expect(now).not.toEqual(rules);
    await waitFor(async () => JSON.stringify(await listChain(node, bin, chain)) === JSON.stringify(rules), {
      timeoutMs: 30_000,
      what: `the node agent to restore ${chain} on ${node.hostname}`,
    });
  });

  test("a tenant has no IPv6: none in its spec's network namespace, no address inside, no connection to an IPv6 address of its node or the host", async ({ swarm, fleet }) => {
    // One with a neighbour on its node: the link-local address that neighbour would have (EUI-64 of its MAC) is a target too.
    const t = fleet.find((x) => fleet.some((y) => y !== x && y.node.id === x.node.id))!;
    const neighbour = fleet.find((y) => y !== t && y.node.id === t.node.id)!;
    const [service] = await servicesOf(t.envId);
    expect((service!.Spec!.TaskTemplate as Docker.ContainerTaskSpec).ContainerSpec).toMatchObject({ Sysctls: { "net.ipv6.conf.all.disable_ipv6": "1" } });
    const node = swarm.nodeById(t.node.id)!;
    const { docker, id } = await taskContainer(swarm, `${TEST_CONTAINER_PREFIX}${t.envId}`, node);
    // The nodes' bridge, which tenants join, has no IPv6 either.
    expect((await docker.getNetwork("bridge").inspect()).EnableIPv6).toBe(false);
    // Targets: the link-local address of its node's bridge (the IPv6 twin of the gateway the firewall guards) and the host's own addresses.
    const bridgeV6 = (await inNode(node, "ip", ["-6", "-o", "addr", "show", "dev", "docker0"])).match(/inet6 (fe80::[0-9a-f:]+)/)?.[1];
    const hostV6 = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === "IPv6" && !a.internal)
      .map((a) => a!.address.split("%")[0]!);
    const listener: Server = createServer((s) => s.end("host service"));
    await new Promise<void>((r) => listener.listen(0, "::", r));
    try {
      const port = (listener.address() as { port: number }).port;
      const other = await taskContainer(swarm, `${TEST_CONTAINER_PREFIX}${neighbour.envId}`, node);
      const mac = (await other.docker.getContainer(other.id).inspect()).NetworkSettings.Networks.bridge!.MacAddress;
      const targets = [`${linkLocal(mac)}%eth0`, ...(bridgeV6 ? [`${bridgeV6}%eth0`] : []), ...hostV6, "::1"];
      const probe = `
        const fs = require("fs"), net = require("net");
        const addrs = fs.existsSync("/proc/net/if_inet6") ? fs.readFileSync("/proc/net/if_inet6", "utf8").trim() : "";
        const disabled = fs.readFileSync("/proc/sys/net/ipv6/conf/all/disable_ipv6", "utf8").trim();
        const dial = ([host, port]) => new Promise((done) => {
          const s = net.connect({ host, port, family: 6, timeout: 1500 });
          s.on("connect", () => { s.destroy(); done([host, "connected"]); });
          s.on("timeout", () => { s.destroy(); done([host, "timeout"]); });
          s.on("error", (e) => done([host, e.code]));
        });
        Promise.all(${JSON.stringify(targets.map((h, i) => [h, i === 0 ? 3000 : port]))}.map(dial)).then((dials) => console.log(JSON.stringify({ addrs, disabled, dials })));`;
      const seen = JSON.parse((await execIn(docker, id, ["node", "-e", probe])).stdout) as { addrs: string; disabled: string; dials: Array<[string, string]> };
      expect(seen.addrs).toBe("");
      expect(seen.disabled).toBe("1");
      expect(seen.dials.length).toBeGreaterThan(0);
      expect(seen.dials.filter(([, outcome]) => outcome === "connected")).toEqual([]);
    } finally {
      listener.close();
    }
  });

  test("a tenant cannot open a connection to another tenant, on its node or across nodes; it reaches the master's API and no other port there", async ({ swarm, stack, fleet }) => {
    // A listener on the master's address that is not the API: tenants must not reach it.
    const hostService: Server = createServer((s) => s.end("host service"));
    await new Promise<void>((r) => hostService.listen(0, swarm.managerAddress, r));
    const hostPort = (hostService.address() as { port: number }).port;
    try {
      const tasks = new Map<number, { docker: Docker; id: string; ip: string }>();
      const gateways = new Map<string, string>();
      for (const node of swarm.nodes) gateways.set(node.swarmNodeId!, (await swarm.nodeDocker(node).getNetwork("bridge").inspect()).IPAM?.Config?.[0]?.Gateway ?? "");
      for (const t of fleet) tasks.set(t.envId, await taskContainer(swarm, `${TEST_CONTAINER_PREFIX}${t.envId}`, swarm.nodeById(t.node.id)!));
      for (const from of fleet) {
        const others = fleet.filter((t) => t.envId !== from.envId);
        const sameNode = others.filter((t) => t.node.id === from.node.id);
        expect(others.length - sameNode.length).toBeGreaterThan(0);
        const targets = [
          // Other tenants at their published addresses (same node and other node) ...
          ...others.map((t) => ({ host: t.node.address, port: t.port })),
          // ... through the bridge's gateway on its own node, and at their container addresses.
          ...sameNode.flatMap((t) => [
            { host: gateways.get(from.node.id)!, port: t.port },
            { host: tasks.get(t.envId)!.ip, port: 3000 },
          ]),
          // Another port of the master's host, and the registry there.
          { host: swarm.managerAddress, port: hostPort },
          { host: swarm.managerAddress, port: 5000 },
        ];
        const { docker, id } = tasks.get(from.envId)!;
        const [master, ...blocked] = await probeFrom(docker, id, [{ host: "host.docker.internal", port: stack.config.PORT, path: "/healthz" }, ...targets], 1500);
        expect(master!.outcome).toBe("connected");
        expect(master!.response).toMatch(/^HTTP\/1\.[01] 200/);
        expect(
          blocked.filter((r) => r.outcome === "connected"),
          JSON.stringify(outcomes(blocked)),
        ).toEqual([]);
      }
    } finally {
      hostService.close();
    }
  });

  test("a node's engine killed: its tenants are ready again on the other node with a new address, with tenant.unhealthy then tenant.recovered; the node back, nothing is duplicated", async ({
    swarm,
    stack,
    org,
    fleet,
    receiver,
  }) => {
    const perNode = new Map<string, Placed[]>();
    for (const t of fleet) perNode.set(t.node.id, [...(perNode.get(t.node.id) ?? []), t]);
    const [victimId, moving] = [...perNode.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
    const victim = swarm.nodeById(victimId)!;
    const staying = fleet.filter((t) => !moving.includes(t));
    const eventsBefore = receiver.events().length;

    await swarm.kill(victim);
    const moved = await waitFor(
      async () => {
        const now = await Promise.all(moving.map((t) => status(stack, org.token, t.envId)));
        if (!now.every((t) => t.status === "ready" && t.node && t.node.id !== victimId)) return null;
        return (await Promise.all(now.map((t) => healthAt(t.address)))).every((s) => s === 200) ? now : null;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: `the tenants of ${victim.hostname} to be ready on another node` },
    );
    for (const t of moved) {
      const before = moving.find((m) => m.envId === t.envId)!;
      expect(t.address).not.toBe(before.address);
      expect(t.address).toBe(`${t.node.address}:${before.port}`);
      // Same hostname; the ingress route moved with the tenant (published before it was ready again).
      expect(t.url).toBe(before.url);
      expect(await routedTo(stack, t, t.address)).toBe(true);
      // The two webhooks, in order, the second carrying the new address.
      const hooks = await waitFor(
        async () => {
          const mine = receiver
            .events()
            .slice(eventsBefore)
            .filter((e) => e.json.data.envId === t.envId)
            .map((e) => e.json);
          return mine.some((e) => e.type === "tenant.recovered") ? mine : null;
        },
        { timeoutMs: 30_000, what: `tenant.recovered for tenant ${t.envId}` },
      );
      expect(hooks.map((h) => h.type)).toEqual(["tenant.unhealthy", "tenant.recovered"]);
      expect(hooks[1]!.data).toMatchObject({ address: t.address, node: t.node });
      // The events say where it went.
      const events = await stack.db.select().from(tenantEvents).where(eq(tenantEvents.envId, t.envId)).orderBy(tenantEvents.id);
      const [down, up] = events.slice(-2);
      expect(down).toMatchObject({ fromStatus: "ready", toStatus: "unhealthy" });
      // Not after HEALTH_FAILURE_THRESHOLD failed probes: the runtime reported the task gone from its node.
      expect(down!.reason).toMatch(new RegExp(`^(rescheduled from ${victim.hostname} |health check failed \\d+× \\(container is restarting)`));
      expect(up).toMatchObject({ fromStatus: "unhealthy", toStatus: "ready" });
      expect(up!.reason).toContain(`${victim.hostname} (${before.address}) to ${t.node.hostname} (${t.address})`);
    }
    // While the node is still down, logs come from the new task (plus the log broker's note about the missing node).
    const logs = await stack.api(`/api/v1/tenant/${moved[0]!.envId}/logs?tail=20`, { token: org.token });
    expect(logs.status).toBe(200);
    expect(logs.body.lines.join("\n")).toContain(`tenant_${moved[0]!.envId} (${moved[0]!.name}) listening on 3000`);
    for (const t of staying) {
      expect(await status(stack, org.token, t.envId)).toMatchObject({ status: "ready", address: t.address });
      expect(
        receiver
          .events()
          .slice(eventsBefore)
          .filter((e) => e.json.data.envId === t.envId),
      ).toEqual([]);
    }

    await swarm.start(victim);
    // Once the node has reported its old tasks stopped, every tenant has one running task and container, where its status says.
    await waitFor(
      async () => {
        const tasks = await managerDocker().listTasks({ filters: { node: [victimId] } });
        const services = await Promise.all(moving.map(async (t) => (await servicesOf(t.envId))[0]?.ID));
        return tasks.filter((x) => services.includes(x.ServiceID)).every((x) => x.Status?.State !== "running");
      },
      { timeoutMs: 60_000, what: `${victim.hostname} to report its old tasks stopped` },
    );
    for (const t of fleet) {
      const now = await status(stack, org.token, t.envId);
      expect(now.status).toBe("ready");
      const containers = await runningContainers(swarm, `${TEST_CONTAINER_PREFIX}${t.envId}`);
      expect(containers).toEqual([swarm.nodeById(now.node.id)!.n]);
      expect(await servicesOf(t.envId)).toHaveLength(1);
    }
  });

  test("destroying tenants removes their services and containers and frees their ports", async ({ swarm, stack, org, fleet }) => {
    const envIds = fleet.map((t) => t.envId);
    await Promise.all(envIds.map((id) => stack.api(`/api/v1/tenant/${id}`, { method: "DELETE", token: org.token })));
    for (const id of envIds) expect((await waitForStatus(stack, org.token, id, ["destroyed"], 60_000)).status).toBe("destroyed");
    for (const id of envIds) expect(await servicesOf(id)).toEqual([]);
    // Their key secrets went with them.
    for (const id of envIds) expect(await secretsOf(id)).toEqual([]);
    expect(await stack.db.select().from(portLeases).where(inArray(portLeases.envId, envIds))).toEqual([]);
    for (const t of fleet) expect(await healthAt(t.address)).not.toBe(200);
    // Their hostnames have no route any more.
    for (const t of fleet) expect(await viaIngress(stack, `${t.url}/health`)).toMatchObject({ status: 404 });
    await waitFor(async () => (await Promise.all(fleet.map((t) => runningContainers(swarm, `${TEST_CONTAINER_PREFIX}${t.envId}`)))).every((c) => c.length === 0), {
      timeoutMs: 30_000,
      what: "the task containers to be gone from the nodes",
    });
  });

  test("a worker SIGKILLed mid-provision: another finishes it, with exactly one service", async ({ swarm, stack, org }) => {
    await stack.stopWorkers();
    const res = await stack.api("/api/v1/tenant/spawn", { token: org.token, body: { name: "crash-me", language: "node", framework: "express" } });
    const envId: number = res.body.tenant.envId;
    try {
      const first = stack.startWorker();
      await waitFor(async () => (await servicesOf(envId)).length > 0, { intervalMs: 20, timeoutMs: 60_000, what: "the service to be created" });
      first.kill("SIGKILL");
      await new Promise((r) => (first.exitCode !== null || first.signalCode ? r(null) : first.once("exit", r)));
      expect(["provisioning", "starting"]).toContain((await getTenant(stack.db, envId))?.status);

      stack.startWorker();
      const ready = await waitForStatus(stack, org.token, envId, ["ready", "failed"], 120_000);
      expect(ready.status, ready.error).toBe("ready");
      expect(await servicesOf(envId)).toHaveLength(1);
      expect(await runningContainers(swarm, `${TEST_CONTAINER_PREFIX}${envId}`)).toHaveLength(1);
      expect(await healthAt(ready.address)).toBe(200);
    } finally {
      await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
      await waitForStatus(stack, org.token, envId, ["destroyed"], 60_000);
    }
  });

  test("a service or key secret with the platform's labels and no tenant is removed after the grace period; one without them is left alone", async ({ stack }) => {
    expect(stack.config.ORPHAN_GRACE_MS).toBeGreaterThan(0);
    const docker = managerDocker();
    // No replicas: nothing runs, nothing is pulled; the reconciler sees services, not tasks.
    const spec = (name: string, labels: Record<string, string>) => ({
      Name: name,
      Labels: labels,
      TaskTemplate: { ContainerSpec: { Image: "convergence/never-pulled:0" } },
      Mode: { Replicated: { Replicas: 0 } },
    });
    const orphan = `${TEST_CONTAINER_PREFIX}orphan`;
    const foreign = `${TEST_CONTAINER_PREFIX}foreign`;
    await docker.createService(spec(orphan, { [labelKeys.owner]: TEST_OWNER, [labelKeys.envId]: "999999" }));
    await docker.createService(spec(foreign, { "com.example.app": "not-convergence" }));
    // A key secret whose service never came (a worker died in between), and a secret that is not the platform's.
    const data = Buffer.from("sk_tenant_orphan").toString("base64");
    await docker.createSecret({ Name: `${orphan}-key-000000000000`, Labels: { [labelKeys.owner]: TEST_OWNER, [labelKeys.envId]: "999999", [SECRET_OF_LABEL]: orphan }, Data: data });
    await docker.createSecret({ Name: `${foreign}-secret`, Labels: { "com.example.app": "not-convergence" }, Data: data });
    const secretNames = async () => ((await docker.listSecrets()) as Array<{ Spec: { Name: string } }>).map((x) => x.Spec.Name);
    try {
      await waitFor(async () => !(await docker.listServices({ filters: { name: [orphan] } })).some((s) => s.Spec?.Name === orphan), {
        timeoutMs: 30_000,
        what: "the orphan service to be removed by the reconciler",
      });
      await waitFor(async () => !(await secretNames()).includes(`${orphan}-key-000000000000`), { timeoutMs: 30_000, what: "the orphan key secret to be swept" });
      // The round that removed the orphan saw the other one too (created together, as old): it is still there.
      expect((await docker.listServices({ filters: { name: [foreign] } })).map((s) => s.Spec?.Name)).toEqual([foreign]);
      expect(await secretNames()).toContain(`${foreign}-secret`);
    } finally {
      for (const name of [orphan, foreign])
        await docker
          .getService(name)
          .remove()
          .catch(() => {});
      for (const name of [`${orphan}-key-000000000000`, `${foreign}-secret`])
        await docker
          .getSecret(name)
          .remove()
          .catch(() => {});
    }
  });
});
