/**
 * SwarmRuntime against a real local swarm (the suite's own: a manager engine and two worker engines
 * in network namespaces, a private registry, beside any `npm run cluster` swarm): images by digest, placement, hardening, logs, removal,
 * port conflicts and node loss. It drives the runtime directly; the platform on top of it is the
 * next step.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import Docker from "dockerode";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, onTestFinished } from "vitest";
import { registryAnswers } from "../scripts/cluster/registry.js";
import { managerDocker, managerSocket } from "../scripts/cluster/swarm.js";
import { loadDotEnv, projectRoot } from "../shared/config.js";
import { parseLogLine, sinceOf } from "../shared/logs/channel.js";
import { SwarmRuntime } from "../shared/runtime/swarm/index.js";
import { ContainerNameTakenError, PortInUseError, labelKeys, type ContainerInfo, type ContainerSpec } from "../shared/runtime/types.js";
import { TemplateRegistry, type Template } from "../shared/templates.js";
import { execIn, TEST_CONTAINER_PREFIX, TEST_OWNER, waitFor } from "./helpers/stack.js";
import { swarmTest, type LocalSwarm } from "./helpers/swarm.js";

loadDotEnv();
const BASE_IMAGE = process.env.TENANT_BASE_IMAGE ?? "node:22-alpine";
// Ports from the top of this suite's range (host-mode ports bind inside the node namespaces, not on
// the host), skipping those fetch() refuses to connect to (WHATWG "bad ports", e.g. 6000 for X11).
const FETCH_BAD_PORTS = new Set([1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080]);
const PORTS = Array.from({ length: 40 }, (_, i) => Number(process.env.TEST_PORT_MAX ?? 4999) - i).filter((p) => !FETCH_BAD_PORTS.has(p));
const FLEET = 6;
const LIMITS = { memoryMb: 128, cpus: 0.25, pidsLimit: 64 };

interface Tenant {
  name: string;
  port: number;
  envId: number;
}

const test = swarmTest.extend<{
  runtime: SwarmRuntime;
  /** A template no engine has seen, built and pushed once; its images are removed after the file. */
  image: { template: Template; ref: string };
  /** Where tenants find the master: a small HTTP server on the manager's bridge address. */
  master: { port: number };
  /** Six started tenants, removed after the file. */
  fleet: Tenant[];
}>({
  runtime: [
    async ({ swarm }, use) => {
      await use(new SwarmRuntime({ socketPath: managerSocket(), owner: TEST_OWNER, registry: swarm.registry, masterAddress: swarm.managerAddress }));
    },
    { scope: "file" },
  ],
  // A copy of the express template with a random file in it: a content-addressed tag no engine has seen.
  image: [
    async ({ runtime }, use) => {
      const root = mkdtempSync(join(tmpdir(), "cvg-swarm-template-"));
      let imageId: string | undefined;
      try {
        cpSync(join(projectRoot, "tenant-templates", "node-express"), join(root, "node-express"), { recursive: true });
        writeFileSync(join(root, "node-express", "nonce.txt"), randomBytes(16).toString("hex"));
        const template = new TemplateRegistry(root).get("node", "express")!;
        const ref = await runtime.ensureImage(template, BASE_IMAGE);
        imageId = (await managerDocker().getImage(ref).inspect()).Id;
        await use({ template, ref });
      } finally {
        rmSync(root, { recursive: true, force: true });
        // Both of its tags (local and registry) on the manager; the nodes' copies go with the cluster.
        if (imageId)
          await managerDocker()
            .getImage(imageId)
            .remove({ force: true })
            .catch(() => {});
      }
    },
    { scope: "file" },
  ],
  master: [
    async ({ swarm }, use) => {
      const server: Server = createServer((_req, res) => res.end("master here"));
      await new Promise<void>((r) => server.listen(0, swarm.managerAddress, r));
      try {
        await use({ port: (server.address() as { port: number }).port });
      } finally {
        server.close();
      }
    },
    { scope: "file" },
  ],
  fleet: [
    async ({ runtime, image: { ref: image }, master }, use) => {
      const fleet = Array.from({ length: FLEET }, (_, i) => ({ name: `${TEST_CONTAINER_PREFIX}swarm-${i + 1}`, port: PORTS[i]!, envId: 9000 + i }));
      try {
        await Promise.all(fleet.map((t) => runtime.create(tenantSpec(t, image, master.port))));
        await Promise.all(fleet.map((t) => runtime.start(t.name)));
        await use(fleet);
      } finally {
        await Promise.all(fleet.map((t) => runtime.remove(t.name)));
      }
    },
    { scope: "file" },
  ],
});

function tenantSpec(t: Tenant, image: string, masterPort: number): ContainerSpec {
  return {
    name: t.name,
    image,
    env: {
      CONVERGENCE_API_URL: `http://host.docker.internal:${masterPort}/api/v1`,
      CONVERGENCE_API_KEY: `sk_tenant_test${t.envId}`,
      CONVERGENCE_ORG_ID: "1",
      CONVERGENCE_ENV_ID: String(t.envId),
      TENANT_ID: `tenant_${t.envId}`,
      TENANT_NAME: `swarm-${t.envId}`,
    },
    labels: { [labelKeys.owner]: TEST_OWNER, [labelKeys.envId]: String(t.envId), [labelKeys.orgId]: "1", [labelKeys.template]: "node/express" },
    containerPort: 3000,
    hostPort: t.port,
    bindHost: "127.0.0.1",
    ...LIMITS,
  };
}

/** The task containers of a service on every node, as each node's own engine lists them. */
async function containersOf(swarm: LocalSwarm, service: string) {
  const perNode = await Promise.all(
    swarm.nodes.map(async (node) => {
      const list = await swarm.nodeDocker(node).listContainers({ all: true, filters: { label: [`com.docker.swarm.service.name=${service}`] } });
      return list.map((c) => ({ node, id: c.Id, state: c.State }));
    }),
  );
  return perNode.flat();
}

const answers = async (address: string) => {
  const h = await healthAt(address);
  return typeof h === "object" && h.status === 200;
};

async function healthAt(address: string): Promise<{ status: number; body: unknown } | string> {
  try {
    const res = await fetch(`http://${address}/health`, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, body: await res.json() };
  } catch (err) {
    return (err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
  }
}

describe("SwarmRuntime on a real local swarm", () => {
  test("the suite's swarm is its own: this machine's engine is no member of it, and its nodes are not `npm run cluster`'s", async ({ swarm }) => {
    const own = await managerDocker().info();
    const host = await new Docker().info();
    expect(own.Swarm.LocalNodeState).toBe("active");
    // This machine's engine stays free for (or keeps managing) the `npm run cluster` swarm a platform may use.
    expect(host.Swarm.Cluster?.ID ?? "").not.toBe(own.Swarm.Cluster.ID);
    expect(swarm.nodes.map((n) => [n.hostname, n.address])).toEqual([
      ["cvgt-node-1", "198.18.1.11"],
      ["cvgt-node-2", "198.18.1.12"],
    ]);
  });

  test("a template image is pushed to the registry and pulled by digest on a node that never saw it", async ({ swarm, runtime, image: { template, ref: image }, master }) => {
    const repo = `${swarm.registry}/convergence-template-node-express`;
    expect(image).toMatch(new RegExp(`^${repo.replace(/\./g, "\\.")}@sha256:[0-9a-f]{64}$`));
    expect(await runtime.ensureImage(template, BASE_IMAGE)).toBe(image);
    // Another process (a fresh runtime) gets the same reference: the push is idempotent.
    const other = new SwarmRuntime({ socketPath: managerSocket(), owner: TEST_OWNER, registry: swarm.registry, masterAddress: swarm.managerAddress });
    expect(await other.ensureImage(template, BASE_IMAGE)).toBe(image);
    const digest = image.split("@")[1]!;
    expect(await registryAnswers(`/v2/convergence-template-node-express/manifests/${digest}`)).toBe(200);
    for (const node of swarm.nodes) {
      await expect(swarm.nodeDocker(node).getImage(image).inspect()).rejects.toMatchObject({ statusCode: 404 });
    }

    const t = { name: `${TEST_CONTAINER_PREFIX}swarm-image`, port: PORTS[10]!, envId: 9100 };
    try {
      const created = await runtime.create(tenantSpec(t, image, master.port));
      expect(created).toMatchObject({ name: t.name, image, state: "created", hostPort: t.port, node: null, address: null });
      expect(created.labels).toMatchObject({ [labelKeys.owner]: TEST_OWNER, [labelKeys.envId]: String(t.envId) });
      await expect(runtime.create(tenantSpec(t, image, master.port))).rejects.toBeInstanceOf(ContainerNameTakenError);
      expect(await containersOf(swarm, t.name)).toEqual([]); // created, not running anywhere

      await runtime.start(t.name);
      const info = (await runtime.inspect(t.name))!;
      expect(info.state).toBe("running");
      const node = swarm.nodeById(info.node!.id)!;
      expect(node).toBeDefined();
      const pulled = await swarm.nodeDocker(node).getImage(image).inspect();
      expect(pulled.RepoDigests).toContain(image);

      await runtime.start(t.name); // already running: a no-op, not a second task
      const tasks = await managerDocker().listTasks({ filters: { service: [info.id] } });
      expect(tasks).toHaveLength(1);
    } finally {
      await runtime.remove(t.name);
    }
  });

  test("an image the registry has lost (a registry recreated under a running worker) is pushed again, not handed out by a stale digest", async ({ runtime, image: { template, ref } }) => {
    const [repo, digest] = ref.slice(ref.indexOf("/") + 1).split("@") as [string, string];
    const manifest = `/v2/${repo}/manifests/${digest}`;
    expect(await registryAnswers(manifest, "DELETE")).toBe(202);
    expect(await registryAnswers(manifest)).toBe(404);
    // Same content, same digest: and the registry has it again.
    expect(await runtime.ensureImage(template, BASE_IMAGE)).toBe(ref);
    expect(await registryAnswers(manifest)).toBe(200);
  });

  test("six tenants spread over both nodes, each answering at its reported address, hardened, reaching the master", async ({ swarm, runtime, fleet, master }) => {
    const infos = await Promise.all(fleet.map((t) => runtime.inspect(t.name)));
    const nodeAddresses = swarm.nodes.map((n) => n.address);
    for (const [i, info] of infos.entries()) {
      const t = fleet[i]!;
      expect(info).toMatchObject({ name: t.name, state: "running", hostPort: t.port });
      expect(nodeAddresses).toContain(info!.node!.address);
      expect(info!.node!.hostname).toBe(swarm.nodeById(info!.node!.id)!.hostname);
      expect(info!.address).toBe(`${info!.node!.address}:${t.port}`);
    }
    expect(new Set(infos.map((i) => i!.node!.id)).size).toBeGreaterThanOrEqual(2);

    // listOwned agrees with inspect, in one call.
    const owned = new Map((await runtime.listOwned()).map((c) => [c.name, c]));
    for (const info of infos) expect(owned.get(info!.name)).toMatchObject({ state: "running", address: info!.address, node: info!.node });

    for (const [i, info] of infos.entries()) {
      const t = fleet[i]!;
      // The app answers at the address the runtime reports (a connection from this host to the node's address).
      const health = await waitFor(
        async () => {
          const h = await healthAt(info!.address!);
          return typeof h === "object" && h.status === 200 ? h : null;
        },
        { timeoutMs: 15_000, what: `${t.name} /health at ${info!.address}` },
      );
      expect(health.body).toMatchObject({ status: "ok", tenant: `tenant_${t.envId}` });

      // The container as its node's engine shows it.
      const [container] = (await containersOf(swarm, t.name)).filter((c) => c.state === "running");
      const docker = swarm.nodeDocker(container!.node);
      const c = await docker.getContainer(container!.id).inspect();
      expect(c.Config.User).toBe("1000:1000");
      expect(c.HostConfig).toMatchObject({
        ReadonlyRootfs: true,
        CapDrop: ["ALL"],
        Init: true,
        PidsLimit: LIMITS.pidsLimit,
        Memory: LIMITS.memoryMb * 1024 * 1024,
        NanoCpus: LIMITS.cpus * 1e9,
        ExtraHosts: [`host.docker.internal:${swarm.managerAddress}`],
        LogConfig: { Type: "json-file", Config: { "max-size": "1m", "max-file": "3" } },
      });

      // And from inside: the hardening is in force, the environment is the contract, the master is reachable.
      const probe = `
        const fs = require("fs");
        const status = fs.readFileSync("/proc/self/status", "utf8");
        const field = (k) => status.match(new RegExp("^" + k + ":\\\\s*(\\\\S+)", "m"))[1];
        let rootWrite = "written"; try { fs.writeFileSync("/app/x", "x"); } catch (e) { rootWrite = e.code; }
        fs.writeFileSync("/tmp/x", "x");
        const tmp = fs.readFileSync("/proc/mounts", "utf8").split("\\n").find((l) => l.split(" ")[1] === "/tmp");
        const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(CONVERGENCE_|TENANT_)/.test(k)));
        const masterUrl = new URL(process.env.CONVERGENCE_API_URL).origin;
        fetch(masterUrl).then((r) => r.text()).catch((e) => "unreachable: " + (e.cause?.code ?? e.message)).then((master) =>
          console.log(JSON.stringify({ key: fs.readFileSync(process.env.CONVERGENCE_API_KEY_FILE, "utf8"), uid: process.getuid(), noNewPrivs: field("NoNewPrivs"), capEff: field("CapEff"), rootWrite, tmp,
            pidsMax: fs.readFileSync("/sys/fs/cgroup/pids/pids.max", "utf8").trim(), env, master })));`;
      const seen = JSON.parse(await execIn(docker, container!.id, ["node", "-e", probe]));
      expect(seen).toMatchObject({ uid: 1000, noNewPrivs: "1", capEff: "0000000000000000", rootWrite: "EROFS", pidsMax: String(LIMITS.pidsLimit), master: "master here" });
      expect(seen.tmp).toMatch(/^tmpfs \/tmp tmpfs rw,nosuid,nodev,noexec,.*size=16384k/);
      expect(seen.env).toEqual({
        CONVERGENCE_API_URL: `http://host.docker.internal:${master.port}/api/v1`,
        // The key as a secret file, never in the environment.
        CONVERGENCE_API_KEY_FILE: "/run/secrets/convergence-api-key",
        CONVERGENCE_ORG_ID: "1",
        CONVERGENCE_ENV_ID: String(t.envId),
        TENANT_ID: `tenant_${t.envId}`,
        TENANT_NAME: `swarm-${t.envId}`,
      });
      expect(seen.key).toBe(`sk_tenant_test${t.envId}`);
    }
  });

  test("logs come through the service logs API, newest last, bounded by tail", async ({ runtime, fleet }) => {
    const t = fleet[0]!;
    const lines = await runtime.logs(t.name, 50);
    expect(lines.some((l) => /^\d{4}-\d\d-\d\dT\S+ tenant_\d+ \(swarm-\d+\) listening on 3000$/.test(l) && l.includes(`tenant_${t.envId} `))).toBe(true);
    expect(await runtime.logs(t.name, 1)).toHaveLength(1);
  });

  test("followLogs streams a task's lines from `since` (inclusive) as it prints them, and ends when the service is removed", async ({ swarm, runtime, image: { ref: image }, master }) => {
    const t = { name: `${TEST_CONTAINER_PREFIX}swarm-follow`, port: PORTS[12]!, envId: 9102 };
    const stop = new AbortController();
    try {
      await runtime.create(tenantSpec(t, image, master.port));
      await runtime.start(t.name);
      const first = await waitFor(async () => (await runtime.logs(t.name, 1))[0], { timeoutMs: 15_000, what: "the start-up line" });
      const since = sinceOf(parseLogLine(first)!.id);
      const seen: string[] = [];
      const following = (async () => {
        for await (const line of runtime.followLogs(t.name, { since, signal: stop.signal })) seen.push(line);
      })();
      await waitFor(async () => seen.length >= 1, { timeoutMs: 15_000, what: "the line at `since`" });
      expect(seen[0]).toBe(first);

      const [task] = (await containersOf(swarm, t.name)).filter((c) => c.state === "running");
      await execIn(swarm.nodeDocker(task!.node), task!.id, ["node", "-e", `require("fs").writeFileSync("/proc/1/fd/1", "printed on ${task!.node.hostname}\\n")`]);
      await waitFor(async () => seen.some((l) => l.endsWith(` printed on ${task!.node.hostname}`)), { timeoutMs: 15_000, what: "the line printed in the task" });
      expect(await runtime.logs(t.name, 10, since)).toEqual(seen);

      await runtime.remove(t.name);
      await waitFor(async () => Promise.race([following.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 200))]), {
        timeoutMs: 20_000,
        what: "the followed stream to end with the service",
      });
    } finally {
      stop.abort();
      await runtime.remove(t.name);
    }
  });

  test("a removed tenant is gone: no service, no container on any node, its port closed", async ({ swarm, runtime, image: { ref: image }, master }) => {
    const t = { name: `${TEST_CONTAINER_PREFIX}swarm-remove`, port: PORTS[11]!, envId: 9101 };
    await runtime.create(tenantSpec(t, image, master.port));
    await runtime.start(t.name);
    const info = (await runtime.inspect(t.name))!;
    await waitFor(() => answers(info.address!), { timeoutMs: 15_000, what: "the tenant to answer" });
    const keySecrets = () => managerDocker().listSecrets({ filters: { label: [`${labelKeys.owner}=${TEST_OWNER}`, `${labelKeys.envId}=${t.envId}`] } });
    expect(await keySecrets()).toHaveLength(1);

    await runtime.remove(t.name);
    expect(await keySecrets()).toEqual([]);
    expect(await runtime.inspect(t.name)).toBeNull();
    expect((await runtime.listOwned()).map((c) => c.name)).not.toContain(t.name);
    // remove returns once the task has stopped: the port no longer answers on its node.
    expect(await healthAt(info.address!)).toBe("ECONNREFUSED");
    await waitFor(async () => (await containersOf(swarm, t.name)).length === 0, { timeoutMs: 30_000, what: "the task container to be removed from its node" });
    await runtime.remove(t.name); // already gone: a no-op
  });

  test("a host port taken outside Swarm on every node: start fails with PortInUseError and leaves nothing running", async ({ swarm, runtime, image: { ref: image }, master }) => {
    const t = { name: `${TEST_CONTAINER_PREFIX}swarm-port`, port: PORTS[12]!, envId: 9102 };
    const squatters: ChildProcess[] = swarm.nodes.map((node) =>
      spawn("nsenter", [`--net=/run/netns/${node.netns}`, process.execPath, "-e", `require("net").createServer().listen(${t.port}, "0.0.0.0", () => console.log("listening"))`], {
        stdio: ["ignore", "pipe", "inherit"],
      }),
    );
    try {
      await Promise.all(squatters.map((p) => new Promise((r) => p.stdout!.once("data", r))));
      await runtime.create(tenantSpec(t, image, master.port));
      await expect(runtime.start(t.name)).rejects.toBeInstanceOf(PortInUseError);
      expect((await runtime.inspect(t.name))!.state).toBe("created");
      await waitFor(async () => (await containersOf(swarm, t.name)).every((c) => c.state !== "running"), { timeoutMs: 10_000, what: "no running container" });

      // Once the port is free, the same service starts.
      for (const p of squatters) p.kill();
      await Promise.all(squatters.map((p) => new Promise((r) => (p.exitCode !== null || p.signalCode ? r(null) : p.once("exit", r)))));
      await runtime.start(t.name);
      expect((await runtime.inspect(t.name))!.state).toBe("running");
    } finally {
      for (const p of squatters) p.kill();
      await runtime.remove(t.name);
    }
  });

  test("a node's engine killed: watch reports it, its tenants are rescheduled, inspect reports the new node and address; the node back: one task each", async ({ swarm, runtime, fleet }) => {
    const before = new Map((await Promise.all(fleet.map((t) => runtime.inspect(t.name)))).map((i) => [i!.name, i!]));
    const perNode = new Map<string, string[]>();
    for (const info of before.values()) perNode.set(info.node!.id, [...(perNode.get(info.node!.id) ?? []), info.name]);
    const [victimId, moving] = [...perNode.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
    const victim = swarm.nodeById(victimId)!;
    const staying = fleet.map((t) => t.name).filter((n) => !moving.includes(n));

    const changes: string[] = [];
    const stopWatching = runtime.watch((reason) => changes.push(reason));
    onTestFinished(stopWatching);
    await swarm.kill(victim);
    // The runtime says so from the manager's events, long before a health probe would.
    await waitFor(async () => changes.some((c) => c === `node ${victim.hostname} is down (was ready)`), { timeoutMs: 30_000, what: "the node-down event" });
    // Nothing of the node keeps serving.
    for (const name of moving) expect(await answers(before.get(name)!.address!)).toBe(false);

    const moved = await waitFor(
      async () => {
        const now = await Promise.all(moving.map((n) => runtime.inspect(n)));
        if (!now.every((i) => i?.state === "running" && i.node && i.node.id !== victimId)) return null;
        return (await Promise.all(now.map((i) => answers(i!.address!)))).every(Boolean) ? now : null;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: `the tenants of ${victim.hostname} to run and answer elsewhere` },
    );
    for (const info of moved) {
      expect(info!.address).not.toBe(before.get(info!.name)!.address);
      expect(info!.address).toBe(`${info!.node!.address}:${info!.hostPort}`);
    }
    for (const name of staying) {
      const info = (await runtime.inspect(name))!;
      expect(info).toMatchObject({ state: "running", address: before.get(name)!.address });
    }

    await swarm.start(victim);
    await waitFor(async () => changes.some((c) => c === `node ${victim.hostname} is ready (was down)`), { timeoutMs: 30_000, what: "the node-ready event" });
    // Once the node has reported its old tasks stopped, each tenant still has exactly one running task and container.
    await waitFor(
      async () => {
        const tasks = await managerDocker().listTasks({ filters: { node: [victimId] } });
        return tasks.filter((t) => moving.some((n) => t.ServiceID === before.get(n)!.id)).every((t) => t.Status?.State !== "running");
      },
      { timeoutMs: 60_000, what: `${victim.hostname} to report its old tasks stopped` },
    );
    for (const t of fleet) {
      const info = (await runtime.inspect(t.name)) as ContainerInfo;
      const running = (await containersOf(swarm, t.name)).filter((c) => c.state === "running");
      expect(running).toHaveLength(1);
      expect(running[0]!.node.swarmNodeId).toBe(info.node!.id);
      const live = (await managerDocker().listTasks({ filters: { service: [info.id], "desired-state": ["running"] } })) as Array<{ Status: { State: string } }>;
      expect(live.map((x) => x.Status.State)).toEqual(["running"]);
    }
  });
});
