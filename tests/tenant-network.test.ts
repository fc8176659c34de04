/**
 * Tenant isolation and egress, tried from inside real tenant containers the way an attacker in
 * one would: the Docker runtime with its tenant network and real iptables, no API or worker.
 * Every destination is on this machine (tests/helpers/egress-lab.ts).
 */
import Docker from "dockerode";
import { execFileSync } from "node:child_process";
import { createServer as createHttpServer, type Server } from "node:http";
import { connect, createServer, type Server as NetServer } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseConfig, type Config } from "../shared/config.js";
import { DockerRuntime, tenantNetwork, type TenantNetworkOptions } from "../shared/runtime/docker/index.js";
import { chainNames } from "../shared/runtime/firewall.js";
import { labelKeys } from "../shared/runtime/types.js";
import { TemplateRegistry } from "../shared/templates.js";
import { hostAddressForLab, hostOnlyAddress, inLab, labAddresses, labPorts, startEgressLab, type EgressLab } from "./helpers/egress-lab.js";
import { TEST_OWNER, freePort, testEnv } from "./helpers/stack.js";
import { containerAddress, freeSubnet, outcomes, probeFrom, probeWith, startTenant, type ProbeTarget, type TestTenant } from "./helpers/tenants.js";

const owner = `${TEST_OWNER}-net`;
const config: Config = parseConfig({ ...testEnv(), CONVERGENCE_INSTANCE: owner });
const docker = new Docker({ socketPath: config.DOCKER_SOCKET });

let lab: EgressLab | undefined;
let master: Server | undefined;
let ops: NetServer | undefined;
let masterPort: number;
let opsPort: number;
let subnet: string;
let runtime: DockerRuntime;
let image: string;
let a: TestTenant;
let b: TestTenant;
let aIp: string;
let bIp: string;
let gateway: string;
let bridge: string;
let docker0: string;
let hostIp: string;

const options = (egress: "public" | "none", masterPorts = [masterPort]): TenantNetworkOptions => ({
  subnet,
  egress,
  masterPorts,
  deny: [labAddresses.deniedPublic],
  dnsServers: [labAddresses.privateAddr],
});
const runtimeWith = (opts: TenantNetworkOptions) => new DockerRuntime({ socketPath: config.DOCKER_SOCKET, owner, network: opts });

async function removeEverythingOwned() {
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`${labelKeys.owner}=${owner}`] } });
  await Promise.all(
    leftovers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
  await new DockerRuntime({ socketPath: config.DOCKER_SOCKET, owner }).removeUnusedNetworks({ includeCurrent: true });
}

/** Connects from the host itself: the control that a target a tenant cannot reach is really there. */
function hostConnects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 2_000 }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("timeout", () => (s.destroy(), resolve(false)));
    s.on("error", () => resolve(false));
  });
}

const iptablesRules = (chain: string) => execFileSync("iptables", ["-w", "-S", chain], { encoding: "utf8" });
const chainMissing = (chain: string) => {
  try {
    iptablesRules(chain);
    return false;
  } catch {
    return true;
  }
};
const jumpsTo = (chain: string, target: string) =>
  iptablesRules(chain)
    .split("\n")
    .filter((l) => l.includes(`-j ${target}`)).length;

beforeAll(async () => {
  await removeEverythingOwned();
  lab = await startEgressLab();
  masterPort = await freePort();
  opsPort = await freePort();
  master = createHttpServer((_req, res) => res.end("master api\n")).listen(masterPort, "0.0.0.0");
  ops = createServer((s) => (s.on("error", () => {}), s.end("ops\n"))).listen(opsPort, "0.0.0.0");
  subnet = await freeSubnet(docker);
  ({ gateway, bridge } = tenantNetwork(owner, subnet));
  docker0 = (await docker.getNetwork("bridge").inspect()).IPAM?.Config?.[0]?.Gateway ?? "172.17.0.1";
  hostIp = Object.entries(networkInterfaces())
    .filter(([name]) => !/^(lo|docker|br-|veth|cvg)/.test(name))
    .flatMap(([, addrs]) => addrs ?? [])
    .find((x) => x.family === "IPv4" && !x.internal)!.address;

  runtime = runtimeWith(options("public"));
  const template = new TemplateRegistry(config.TEMPLATES_DIR).get("node", "express")!;
  image = await runtime.ensureImage(template, config.TENANT_BASE_IMAGE);
  [a, b] = await Promise.all([startTenant(runtime, image, { name: `${owner}-a`, envId: 1, orgId: 1, owner }), startTenant(runtime, image, { name: `${owner}-b`, envId: 2, orgId: 2, owner })]);
  [aIp, bIp] = await Promise.all([containerAddress(docker, a.name), containerAddress(docker, b.name)]);
});

afterAll(async () => {
  try {
    await removeEverythingOwned();
  } finally {
    master?.close();
    ops?.close();
    await lab?.teardown();
  }
});

describe("tenant isolation", () => {
  test("tenants are on the owner's own bridge, with inter-container communication off", async () => {
    const net = await docker.getNetwork(tenantNetwork(owner, subnet).name).inspect();
    expect(net.Options?.["com.docker.network.bridge.enable_icc"]).toBe("false");
    expect(net.Options?.["com.docker.network.bridge.name"]).toBe(bridge);
    expect(net.Labels?.[labelKeys.owner]).toBe(owner);
    expect(Object.keys(net.Containers ?? {})).toHaveLength(2);
    expect(aIp.startsWith(subnet.split(".").slice(0, 3).join("."))).toBe(true);
  });

  test("a tenant cannot open a connection to another tenant, by IP or by name, on any of its addresses and ports", async () => {
    // The targets exist: the host reaches B on its bridge address and its published port, and A reaches itself.
    expect(await hostConnects(bIp, 3000)).toBe(true);
    expect(await hostConnects("127.0.0.1", b.hostPort)).toBe(true);

    const targets: ProbeTarget[] = [
      { host: bIp, port: 3000 },
      { host: bIp, port: b.hostPort },
      { host: bIp, port: 22 },
      { host: bIp, port: 80 },
      { host: b.name, port: 3000 },
      { host: gateway, port: b.hostPort },
      { host: docker0, port: b.hostPort },
      { host: hostIp, port: b.hostPort },
      { host: "127.0.0.1", port: 3000 },
    ];
    const results = await probeFrom(docker, a.name, targets);
    const self = results.pop()!;
    expect(self.outcome, "A reaches its own app").toBe("connected");
    // By name: Docker's DNS does resolve B for A, and the connection still goes nowhere.
    expect(results.find((r) => r.host === b.name)?.address).toBe(bIp);
    for (const r of results) expect(r.outcome, JSON.stringify(outcomes(results))).not.toBe("connected");

    const back = await probeFrom(docker, b.name, [
      { host: aIp, port: 3000 },
      { host: a.name, port: 3000 },
    ]);
    for (const r of back) expect(r.outcome, JSON.stringify(outcomes(back))).not.toBe("connected");
  });

  test("a tenant reaches the master's API port through host.docker.internal, and no other port of the host", async () => {
    for (const host of [gateway, docker0, hostIp, hostOnlyAddress]) expect(await hostConnects(host, opsPort), `host → ${host}:${opsPort}`).toBe(true);

    const results = await probeFrom(docker, a.name, [
      { host: "host.docker.internal", port: masterPort, path: "/" },
      { host: "host.docker.internal", port: opsPort },
      { host: gateway, port: opsPort },
      { host: docker0, port: opsPort },
      { host: hostIp, port: opsPort },
      { host: hostOnlyAddress, port: opsPort },
      { host: hostIp, port: masterPort },
      { host: gateway, port: 22 },
    ]);
    const [api, ...rest] = results;
    expect(api!.address).toBe(gateway);
    expect(api!.outcome).toBe("connected");
    expect(api!.response).toContain("master api");
    for (const r of rest) expect(r.outcome, JSON.stringify(outcomes(results))).not.toBe("connected");
  });

  test("every API process sharing the owner keeps its own master port open", async () => {
    const second = createHttpServer((_req, res) => res.end("second api\n"));
    const secondPort = await freePort();
    await new Promise<void>((r) => second.listen(secondPort, "0.0.0.0", r));
    try {
      // Another stack of the same owner (its own API port) applies the rules for its port.
      await runtimeWith(options("public", [secondPort])).ensureNetwork();
      const results = await probeFrom(docker, a.name, [
        { host: "host.docker.internal", port: masterPort, path: "/" },
        { host: "host.docker.internal", port: secondPort, path: "/" },
      ]);
      expect(results.map((r) => r.response?.split("\r\n\r\n")[1])).toEqual(["master api\n", "second api\n"]);
    } finally {
      second.close();
    }
  });

  test("from the LAN, a port published on every interface reaches its tenant, and no tenant's own address does", async () => {
    const c = await startTenant(runtime, image, { name: `${owner}-c`, envId: 3, orgId: 3, owner, bindHost: "0.0.0.0" });
    try {
      const cIp = await containerAddress(docker, c.name);
      const results = probeWith(inLab, [
        { host: hostAddressForLab, port: c.hostPort, path: "/health" },
        { host: cIp, port: 3000 },
        { host: aIp, port: 3000 },
        { host: hostAddressForLab, port: a.hostPort },
      ]);
      const [published, ...blocked] = results;
      expect(published!.response, JSON.stringify(outcomes(results))).toContain('"tenant":"tenant_3"');
      for (const r of blocked) expect(r.outcome, JSON.stringify(outcomes(results))).not.toBe("connected");
    } finally {
      await runtime.remove(c.name);
    }
  });

  test("connections made to a tenant still get their replies (published port and bridge address)", async () => {
    expect((await fetch(`http://127.0.0.1:${a.hostPort}/health`)).status).toBe(200);
    expect((await fetch(`http://${aIp}:3000/health`)).status).toBe(200);
  });
});

describe("egress", () => {
  test("TENANT_EGRESS=public: the public internet answers; private, metadata, CGNAT and denied addresses do not", async () => {
    for (const addr of Object.values(labAddresses)) expect(await hostConnects(addr, labPorts.http), `host → ${addr}`).toBe(true);

    const results = await probeFrom(docker, a.name, [
      { host: labAddresses.publicAddr, port: labPorts.http, path: "/" },
      { host: labAddresses.privateAddr, port: labPorts.dns },
      { host: labAddresses.privateAddr, port: labPorts.http },
      { host: labAddresses.metadata, port: labPorts.http },
      { host: labAddresses.metadata, port: labPorts.dns },
      { host: labAddresses.cgnat, port: labPorts.http },
      { host: labAddresses.deniedPublic, port: labPorts.http },
    ]);
    const [pub, dns, ...blocked] = results;
    expect(pub!.response).toContain(`lab ${labAddresses.publicAddr}:80`);
    expect(dns!.outcome, "the configured resolver on port 53").toBe("connected");
    for (const r of blocked) expect(r.outcome, JSON.stringify(outcomes(results))).not.toBe("connected");
  });

  test("TENANT_EGRESS=none: nothing answers but the master", async () => {
    await runtimeWith(options("none")).ensureNetwork();
    try {
      const results = await probeFrom(docker, a.name, [
        { host: "host.docker.internal", port: masterPort, path: "/" },
        { host: labAddresses.publicAddr, port: labPorts.http },
        { host: labAddresses.privateAddr, port: labPorts.dns },
        { host: labAddresses.metadata, port: labPorts.http },
      ]);
      const [api, ...blocked] = results;
      expect(api!.response).toContain("master api");
      for (const r of blocked) expect(r.outcome, JSON.stringify(outcomes(results))).not.toBe("connected");
    } finally {
      await runtime.ensureNetwork(); // back to public for the tests after this one
    }
    const again = await probeFrom(docker, a.name, [{ host: labAddresses.publicAddr, port: labPorts.http }]);
    expect(again[0]!.outcome).toBe("connected");
  });
});

describe("rules and networks over time", () => {
  test("applying the rules again, even concurrently, changes nothing", async () => {
    const { forward, input } = chainNames(bridge);
    const before = [iptablesRules(forward), iptablesRules(input)];
    await Promise.all([runtime.ensureNetwork(), runtime.ensureNetwork(), runtime.ensureNetwork()]);
    await runtime.ensureNetwork();
    expect([iptablesRules(forward), iptablesRules(input)]).toEqual(before);
    expect(jumpsTo("DOCKER-USER", forward)).toBe(2); // in from the bridge, out to it
    expect(jumpsTo("INPUT", input)).toBe(1);
  });

  test("a network another configuration left is removed once no container uses it, with its rules; the current one stays", async () => {
    const otherSubnet = await freeSubnet(docker);
    const other = tenantNetwork(owner, otherSubnet);
    await runtimeWith({ ...options("public"), subnet: otherSubnet }).ensureNetwork();
    expect(chainMissing(chainNames(other.bridge).forward)).toBe(false);

    const removed = await runtime.removeUnusedNetworks();
    expect(removed).toEqual([other.name]);
    await expect(docker.getNetwork(other.name).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(chainMissing(chainNames(other.bridge).forward)).toBe(true);
    expect(chainMissing(chainNames(other.bridge).input)).toBe(true);
    expect(iptablesRules("DOCKER-USER")).not.toContain(other.bridge);
    // The current network is in use (and current): kept.
    expect((await docker.getNetwork(tenantNetwork(owner, subnet).name).inspect()).Name).toBe(tenantNetwork(owner, subnet).name);
  });

  test("removing the platform's network takes its rules with it", async () => {
    await runtime.remove(a.name);
    await runtime.remove(b.name);
    const removed = await runtime.removeUnusedNetworks({ includeCurrent: true });
    expect(removed).toEqual([tenantNetwork(owner, subnet).name]);
    const { forward, input } = chainNames(bridge);
    expect(chainMissing(forward)).toBe(true);
    expect(chainMissing(input)).toBe(true);
    expect(iptablesRules("DOCKER-USER")).not.toContain(bridge);
    expect(iptablesRules("INPUT")).not.toContain(bridge);
  });
});
