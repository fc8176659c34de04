/**
 * Tenant containers driven straight through the runtime (no API, no worker), and probes run
 * from inside them: `docker exec` of a `node -e` script (the base image has no shell) that
 * opens TCP connections (optionally an HTTP/1.0 GET) and reports what happened to each.
 */
import type Docker from "dockerode";
import { execFileSync } from "node:child_process";
import http from "node:http";
import { createServer } from "node:net";
import { PassThrough } from "node:stream";
import type { ContainerRuntime } from "../../shared/runtime/types.js";
import { labelKeys } from "../../shared/runtime/types.js";
import { waitFor } from "./stack.js";

/**
 * A random /`prefix` inside `within` that overlaps no subnet of any Docker network on the engine:
 * by default a /24 in 10.211.0.0/16 (each runtime-level suite its own).
 */
export async function freeSubnet(docker: Docker, opts: { prefix?: number; within?: string } = {}): Promise<string> {
  const prefix = opts.prefix ?? 24;
  const [base, bits] = (opts.within ?? "10.211.0.0/16").split("/") as [string, string];
  const used = (await docker.listNetworks())
    .flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? ""))
    .filter((s) => /^\d+(\.\d+){3}\/\d+$/.test(s))
    .map(range);
  const size = 2 ** (32 - prefix);
  const start = toInt(base);
  const free: number[] = [];
  for (let n = start; n < start + 2 ** (32 - Number(bits)); n += size) {
    if (!used.some(([a, b]) => n < b && a < n + size)) free.push(n);
  }
  if (free.length === 0) throw new Error(`no free /${prefix} left in ${opts.within ?? "10.211.0.0/16"}`);
  return `${fromInt(free[Math.floor(Math.random() * free.length)]!)}/${prefix}`;
}

const toInt = (ip: string) => ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
const fromInt = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
/** [first, end) of a CIDR. */
const range = (cidr: string): [number, number] => {
  const [a, b] = cidr.split("/") as [string, string];
  const size = 2 ** (32 - Number(b));
  const first = Math.floor(toInt(a) / size) * size;
  return [first, first + size];
};

const taken = new Set<number>();
/** A free port on 127.0.0.1 in this worktree's tenant range (TEST_PORT_MIN..MAX). */
export async function freeTenantPort(): Promise<number> {
  const min = Number(process.env.TEST_PORT_MIN ?? 4001);
  const max = Number(process.env.TEST_PORT_MAX ?? 4999);
  for (let i = 0; i < 200; i++) {
    const port = min + Math.floor(Math.random() * (max - min + 1));
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${min}..${max}`);
}

export interface TestTenant {
  name: string;
  envId: number;
  orgId: number;
  hostPort: number;
}

/** Creates and starts a tenant container as provisioning would, and waits until it answers on its host port. */
export async function startTenant(
  runtime: ContainerRuntime,
  image: string,
  t: { name: string; envId: number; orgId: number; owner: string; tenantName?: string; apiUrl?: string; bindHost?: string; hostPort?: number },
): Promise<TestTenant> {
  const hostPort = t.hostPort ?? (await freeTenantPort());
  await runtime.remove(t.name);
  await runtime.create({
    name: t.name,
    image,
    env: {
      CONVERGENCE_API_URL: t.apiUrl ?? "http://host.docker.internal:9/api/v1",
      CONVERGENCE_API_KEY: "sk_tenant_test",
      CONVERGENCE_ORG_ID: String(t.orgId),
      CONVERGENCE_ENV_ID: String(t.envId),
      TENANT_ID: `tenant_${t.envId}`,
      TENANT_NAME: t.tenantName ?? t.name,
    },
    labels: { [labelKeys.owner]: t.owner, [labelKeys.envId]: String(t.envId), [labelKeys.orgId]: String(t.orgId) },
    containerPort: 3000,
    hostPort,
    bindHost: t.bindHost ?? "127.0.0.1",
    memoryMb: 128,
    cpus: 0.5,
    pidsLimit: 64,
  });
  await runtime.start(t.name);
  await waitFor(() => answersOk(`http://127.0.0.1:${hostPort}/health`), {
    timeoutMs: 30_000,
    what: `${t.name} to answer on 127.0.0.1:${hostPort}`,
  });
  return { name: t.name, envId: t.envId, orgId: t.orgId, hostPort };
}

/**
 * One GET with its own deadline. Not fetch: right after a start, docker-proxy may accept a
 * connection it cannot forward yet and hold it, and fetch's abort timer does not keep a process
 * alive (a child process would exit mid-wait).
 */
export function answersOk(url: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode === 200));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

export async function containerAddress(docker: Docker, name: string): Promise<string> {
  const info = await docker.getContainer(name).inspect();
  const nets = Object.values(info.NetworkSettings.Networks ?? {});
  const ip = nets[0]?.IPAddress;
  if (!ip) throw new Error(`${name} has no IP address`);
  return ip;
}

export interface ProbeTarget {
  host: string;
  port: number;
  /** Send `GET <path>` over HTTP/1.0 and return the response. */
  path?: string;
}

export interface ProbeResult extends ProbeTarget {
  /** connected: a TCP connection was established; timeout: nothing answered (dropped). */
  outcome: "connected" | "timeout" | "refused" | "unresolved" | "error";
  address?: string;
  detail?: string;
  response?: string;
}

// Runs inside the tenant. Every target at once, each with its own deadline.
const probeScript = `
const net = require("net"), dns = require("dns");
const [targets, timeoutMs] = [JSON.parse(process.argv[1]), Number(process.argv[2])];
const probe = (t) => new Promise((done) => {
  dns.lookup(t.host, { family: 4 }, (err, address) => {
    if (err) return done({ ...t, outcome: "unresolved", detail: err.code });
    const s = net.connect({ host: address, port: t.port });
    let response = "";
    const finish = (r) => { clearTimeout(timer); s.destroy(); done({ ...t, address, ...r }); };
    const timer = setTimeout(() => finish(response ? { outcome: "connected", response } : { outcome: "timeout" }), timeoutMs);
    s.on("connect", () => {
      if (t.path === undefined) return finish({ outcome: "connected" });
      s.write("GET " + t.path + " HTTP/1.0\\r\\nHost: " + t.host + "\\r\\n\\r\\n");
    });
    s.on("data", (d) => { response += d; });
    s.on("end", () => finish({ outcome: "connected", response }));
    s.on("error", (e) => finish(response ? { outcome: "connected", response } : { outcome: e.code === "ECONNREFUSED" ? "refused" : "error", detail: e.code }));
  });
});
Promise.all(targets.map(probe)).then((r) => process.stdout.write(JSON.stringify(r)));
`;

/** Opens every target from inside `container` at once; a target that does not answer within `timeoutMs` is a timeout. */
export async function probeFrom(docker: Docker, container: string, targets: ProbeTarget[], timeoutMs = 2_000): Promise<ProbeResult[]> {
  const { stdout, stderr, exitCode } = await execIn(docker, container, ["node", "-e", probeScript, JSON.stringify(targets), String(timeoutMs)]);
  if (exitCode !== 0) throw new Error(`probe in ${container} exited ${exitCode}: ${stderr}`);
  return JSON.parse(stdout) as ProbeResult[];
}

/** The same probes from a process started with `prefix` (e.g. `ip netns exec <ns>`: a host on the LAN). */
export function probeWith(prefix: string[], targets: ProbeTarget[], timeoutMs = 2_000): ProbeResult[] {
  const out = execFileSync(prefix[0]!, [...prefix.slice(1), process.execPath, "-e", probeScript, JSON.stringify(targets), String(timeoutMs)], { encoding: "utf8" });
  return JSON.parse(out) as ProbeResult[];
}

export async function execIn(docker: Docker, container: string, cmd: string[]): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  const exec = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on("data", (b: Buffer) => chunks.out.push(b));
  err.on("data", (b: Buffer) => chunks.err.push(b));
  await new Promise<void>((resolve, reject) => {
    docker.modem.demuxStream(stream, out, err);
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  const { ExitCode } = await exec.inspect();
  return { stdout: Buffer.concat(chunks.out).toString("utf8"), stderr: Buffer.concat(chunks.err).toString("utf8"), exitCode: ExitCode };
}

/** Describes probe results compactly for assertion messages. */
export const outcomes = (results: ProbeResult[]) => Object.fromEntries(results.map((r) => [`${r.host}:${r.port}`, r.outcome]));
