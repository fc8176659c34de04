/**
 * Isolation and egress rules survive a restart of the Docker engine, and a flushed firewall is
 * repaired by re-applying them. The engine restarted is a private dockerd in a network
 * namespace of its own (tests/helpers/private-dockerd.ts), never the shared one.
 */
import Docker from "dockerode";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { parseConfig, projectRoot } from "../shared/config.js";
import { DockerRuntime, tenantAddress, tenantNetwork, type TenantNetworkOptions } from "../shared/runtime/docker/index.js";
import { chainNames } from "../shared/runtime/firewall.js";
import { TemplateRegistry } from "../shared/templates.js";
import { startPrivateDockerd, type PrivateDockerd } from "./helpers/private-dockerd.js";
import { TEST_OWNER, testEnv } from "./helpers/stack.js";
import { outcomes, probeFrom, type ProbeTarget } from "./helpers/tenants.js";

const config = parseConfig({ ...testEnv(), CONVERGENCE_INSTANCE: TEST_OWNER });
const owner = `${TEST_OWNER}-restart`;
const instance = process.env.TEST_INSTANCE || "default";
const masterPort = 3100;
const opsPort = 3101;
const network: TenantNetworkOptions = {
  subnet: "10.212.0.0/24",
  egress: "public",
  masterPorts: [masterPort],
  deny: [],
  dnsServers: [],
  portRange: { min: 6101, max: 6199 },
};
const net = tenantNetwork(owner, network.subnet);
const { gateway, bridge } = net;
const tenants = [
  { name: `${owner}-a`, envId: 1, hostPort: 6101 },
  { name: `${owner}-b`, envId: 2, hostPort: 6102 },
];
const [a, b] = tenants as [(typeof tenants)[number], (typeof tenants)[number]];

let engine: PrivateDockerd | undefined;
let listener: ChildProcess | undefined;
let image: string;

/** Runs the runtime's verbs inside the engine's namespace, where its iptables are. */
function scenario(action: "up" | "start" | "ensure" | "down", order = tenants) {
  const args = JSON.stringify({ action, socketPath: engine!.socketPath, owner, network, image, tenants: order });
  const out = execFileSync(engine!.inNetns[0]!, [...engine!.inNetns.slice(1), process.execPath, "--import", "tsx", join(projectRoot, "tests/helpers/network-scenario.ts"), args], {
    cwd: projectRoot,
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(JSON.parse(out)).toEqual({ ok: true, action });
}

const iptablesInEngine = (...args: string[]) => execFileSync(engine!.inNetns[0]!, [...engine!.inNetns.slice(1), "iptables", "-w", ...args], { encoding: "utf8" });
const ourRules = () => {
  const { forward, input } = chainNames(bridge);
  return [iptablesInEngine("-S", forward), iptablesInEngine("-S", input), iptablesInEngine("-S", "DOCKER-USER"), iptablesInEngine("-S", "INPUT")];
};

const probes: ProbeTarget[] = [
  { host: "host.docker.internal", port: masterPort, path: "/" },
  { host: b.name, port: 3000 },
  { host: gateway, port: opsPort },
  { host: gateway, port: b.hostPort },
];
let bIp: string;
async function expectIsolated() {
  const results = await probeFrom(engine!.docker, a.name, [...probes, { host: bIp, port: 3000 }]);
  const [api, ...blocked] = results;
  expect(api!.response, JSON.stringify(outcomes(results))).toContain("master api");
  expect(results.find((r) => r.host === b.name)?.address, "B resolves by name").toBe(bIp);
  for (const r of blocked) expect(r.outcome, JSON.stringify(outcomes(results))).not.toBe("connected");
}

beforeAll(async () => {
  const template = new TemplateRegistry(config.TEMPLATES_DIR).get("node", "express")!;
  const shared = new Docker({ socketPath: config.DOCKER_SOCKET });
  image = await new DockerRuntime({ socketPath: config.DOCKER_SOCKET, owner: TEST_OWNER }).ensureImage(template, config.TENANT_BASE_IMAGE);
  engine = await startPrivateDockerd(`cvg-dind-${instance}`.slice(0, 30));
  await engine.loadImage(shared, image);
  // The master's API and an operations port, on every address of the engine's "host".
  listener = spawn(
    engine.inNetns[0]!,
    [
      ...engine.inNetns.slice(1),
      process.execPath,
      "-e",
      `const http = require("http");
       http.createServer((q, s) => s.end("master api\\n")).listen(${masterPort}, "0.0.0.0");
       http.createServer((q, s) => s.end("ops\\n")).listen(${opsPort}, "0.0.0.0", () => console.log("listening"));`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve, reject) => {
    listener!.stdout!.on("data", (d) => String(d).includes("listening") && resolve());
    listener!.once("exit", (code) => reject(new Error(`listener exited ${code}`)));
  });
  scenario("up");
  bIp = Object.values((await engine.docker.getContainer(b.name).inspect()).NetworkSettings.Networks)[0]!.IPAddress;
}, 240_000);

afterAll(async () => {
  try {
    if (engine) scenario("down");
  } finally {
    if (listener && listener.exitCode === null) {
      listener.kill();
      await once(listener, "exit");
    }
    await engine?.destroy();
  }
}, 120_000);

test("isolation, egress rules and tenants' addresses stay as they were across a dockerd restart, and re-applying the rules changes nothing", async () => {
  await expectIsolated();
  const before = ourRules();

  await engine!.restart();
  // Before anything re-applies them: Docker left DOCKER-USER, INPUT and our chains alone.
  expect(ourRules()).toEqual(before);
  // The health sweep restarts tenants the engine stopped, in whatever order: each gets its own
  // address back (the ingress dials it), not whichever was free first.
  scenario("start", [...tenants].reverse());
  for (const t of tenants) {
    const [attached] = Object.values((await engine!.docker.getContainer(t.name).inspect()).NetworkSettings.Networks);
    expect(attached!.IPAddress, t.name).toBe(tenantAddress(net, network.portRange!, t.hostPort));
  }
  await expectIsolated();

  scenario("ensure"); // the reconciler re-applies: a no-op
  expect(ourRules()).toEqual(before);
});

test("a flushed firewall is repaired by re-applying the rules", async () => {
  const { forward, input } = chainNames(bridge);
  const before = ourRules();
  // What a firewall reload does: our jumps and chains are gone, and the host is open to tenants.
  iptablesInEngine("-D", "INPUT", "-i", bridge, "-j", input);
  for (const dir of ["-i", "-o"]) iptablesInEngine("-D", "DOCKER-USER", dir, bridge, "-j", forward);
  iptablesInEngine("-F", input);
  iptablesInEngine("-X", input);
  const open = await probeFrom(engine!.docker, a.name, [{ host: gateway, port: opsPort }]);
  expect(open[0]!.outcome).toBe("connected");

  scenario("ensure");
  expect(ourRules().map((r) => r.split("\n").sort())).toEqual(before.map((r) => r.split("\n").sort()));
  await expectIsolated();
});
