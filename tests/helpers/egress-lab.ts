/**
 * Addresses ON THIS MACHINE for egress tests, so no test ever sends a packet anywhere else:
 * - a network namespace behind a veth pair (the forwarded path, like a LAN host or the
 *   internet) carrying a private address, the cloud metadata address, a CGNAT address and two
 *   TEST-NET-3 addresses standing in for the public internet, each with a listener on TCP 80
 *   and 53; the host routes exactly those /32s into the namespace;
 * - one more address of the host itself (the host path: INPUT, not FORWARD), on the host's end
 *   of the veth (this kernel has no dummy interfaces).
 * The names and the routes are global to the machine, so a file lock serialises labs of
 * several worktrees. Everything is checked to route into the lab before it is used.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";

const ns = "cvg-egress-lab";
/** Run a command as a host on the lab's side of the veth (a LAN neighbour of this host). */
export const inLab = ["ip", "netns", "exec", ns];
const hostVeth = "cvgegr0";
const nsVeth = "cvgegr1";
const link = { host: "10.250.255.1", ns: "10.250.255.2" };
/** This host's address as the lab's hosts see it. */
export const hostAddressForLab = link.host;

export const labAddresses = {
  privateAddr: "10.250.0.1",
  metadata: "169.254.169.254",
  cgnat: "100.64.0.7",
  /** TEST-NET-3, not routed on the internet: our stand-in for a public address. */
  publicAddr: "203.0.113.7",
  /** Also TEST-NET-3: public, but put on the deny list by the tests. */
  deniedPublic: "203.0.113.8",
} as const;
/** An address of the host itself, beside its LAN and bridge addresses. */
export const hostOnlyAddress = "10.250.1.1";
export const labPorts = { http: 80, dns: 53 } as const;

export interface EgressLab {
  teardown(): Promise<void>;
}

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: "pipe", encoding: "utf8" });
const quiet = (...args: string[]) => {
  try {
    ip(...args);
  } catch {}
};

export async function startEgressLab(): Promise<EgressLab> {
  const lock = await acquireLock("/run/lock/convergence-egress-lab.lock");
  let listener: ChildProcess | null = null;
  try {
    removeLab(); // what a crashed run of this worktree left
    ip("netns", "add", ns);
    ip("link", "add", hostVeth, "type", "veth", "peer", "name", nsVeth);
    ip("link", "set", nsVeth, "netns", ns);
    ip("addr", "add", `${link.host}/30`, "dev", hostVeth);
    ip("link", "set", hostVeth, "up");
    const inNs = (...args: string[]) => ip("netns", "exec", ns, "ip", ...args);
    inNs("link", "set", "lo", "up");
    inNs("addr", "add", `${link.ns}/30`, "dev", nsVeth);
    inNs("link", "set", nsVeth, "up");
    for (const addr of Object.values(labAddresses)) {
      inNs("addr", "add", `${addr}/32`, "dev", "lo");
      ip("route", "add", `${addr}/32`, "via", link.ns, "dev", hostVeth);
    }
    inNs("route", "add", "default", "via", link.host);
    ip("addr", "add", `${hostOnlyAddress}/32`, "dev", hostVeth);

    for (const addr of Object.values(labAddresses)) {
      const route = JSON.parse(ip("-j", "route", "get", addr))[0];
      if (route?.dev !== hostVeth) throw new Error(`${addr} does not route into the lab (${JSON.stringify(route)}): refusing to send traffic there`);
    }
    const local = JSON.parse(ip("-j", "route", "get", hostOnlyAddress))[0];
    if (local?.type !== "local") throw new Error(`${hostOnlyAddress} is not local: ${JSON.stringify(local)}`);

    listener = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", listenerScript], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      listener!.stdout!.on("data", (d) => String(d).includes("listening") && resolve());
      listener!.once("exit", (code) => reject(new Error(`lab listener exited (${code})`)));
      setTimeout(() => reject(new Error("lab listener did not start")), 10_000);
    });
  } catch (err) {
    listener?.kill();
    removeLab();
    lock.release();
    throw err;
  }
  return {
    async teardown() {
      if (listener && listener.exitCode === null) {
        listener.kill();
        await once(listener, "exit");
      }
      removeLab();
      lock.release();
    },
  };
}

function removeLab() {
  quiet("netns", "del", ns); // takes the namespace's end of the veth pair, hence the pair, hence its routes
  quiet("link", "del", hostVeth);
}

// Answers on TCP 80 and 53 of every address in the namespace with who answered.
const listenerScript = `
const net = require("net");
let up = 0;
for (const port of [${labPorts.http}, ${labPorts.dns}]) {
  net.createServer((s) => { s.on("error", () => {}); s.end("HTTP/1.0 200 OK\\r\\n\\r\\nlab " + s.localAddress + ":" + port + "\\n"); })
    .listen(port, "0.0.0.0", () => { if (++up === 2) console.log("listening"); });
}
`;

/**
 * Holds an exclusive flock on `file` in a child process until released. The child waits on its
 * stdin, so the lock also goes when this process dies; -o keeps the lock out of flock's child.
 */
async function acquireLock(file: string): Promise<{ release(): void }> {
  const child = spawn("flock", ["-o", "-w", "600", file, "-c", "echo locked; exec cat >/dev/null"], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d) => String(d).includes("locked") && resolve());
    child.once("exit", (code) => reject(new Error(`could not lock ${file} (flock exited ${code})`)));
  });
  return { release: () => child.stdin!.end() };
}
