/**
 * A dockerd of the test's own, in a network namespace of its own, for tests that restart the
 * engine: the shared dockerd (and everything every engineer runs on it) is never touched. The
 * namespace gives it its own iptables, bridges and loopback, so its rules and the platform's
 * rules for its networks live apart from the host's. Only `nsenter --net` is used (not
 * `ip netns exec`, which remounts /sys and hides the cgroup mounts dockerd needs).
 * Only the process this helper started (its pid file) is ever signalled.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import { waitFor } from "./stack.js";

export interface PrivateDockerd {
  docker: Docker;
  socketPath: string;
  netns: string;
  /** argv prefix that runs a command inside the namespace (iptables, node). */
  inNetns: string[];
  /** Copies an image from the shared engine (no registry here). */
  loadImage(from: Docker, tag: string): Promise<void>;
  /** SIGTERM, wait for the exit, start again on the same state: what a dockerd restart is. */
  restart(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPrivateDockerd(name: string): Promise<PrivateDockerd> {
  const netns = name;
  const run = `/run/${name}`;
  const dataRoot = `/var/lib/${name}`;
  const socketPath = join(run, "docker.sock");
  const pidFile = join(run, "dockerd.pid");
  const inNetns = ["nsenter", `--net=/run/netns/${netns}`];
  let child: ChildProcess | null = null;

  const ourPid = (): number | null => {
    if (!existsSync(pidFile)) return null;
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    return pid > 0 && existsSync(`/proc/${pid}`) ? pid : null;
  };
  const stop = async () => {
    const pid = ourPid();
    if (pid === null) return;
    process.kill(pid, "SIGTERM");
    await waitFor(async () => !existsSync(`/proc/${pid}`), { timeoutMs: 60_000, intervalMs: 200, what: `private dockerd ${pid} to exit` });
    if (child && child.exitCode === null && child.signalCode === null) await once(child, "exit").catch(() => {});
    child = null;
  };
  const start = async () => {
    mkdirSync(run, { recursive: true });
    mkdirSync(dataRoot, { recursive: true });
    const log = openSync(join(run, "dockerd.log"), "a");
    child = spawn(
      inNetns[0]!,
      [
        ...inNetns.slice(1),
        "dockerd",
        `--data-root=${dataRoot}`,
        `--exec-root=${join(run, "exec")}`,
        `--pidfile=${pidFile}`,
        `--host=unix://${socketPath}`,
        `--cgroup-parent=${name}`,
        "--log-level=warn",
      ],
      { stdio: ["ignore", log, log], detached: true },
    );
    child.unref();
    const docker = new Docker({ socketPath });
    await waitFor(async () => (await docker.ping().catch(() => null)) !== null, { timeoutMs: 60_000, intervalMs: 250, what: "private dockerd to answer" });
  };
  const removeAll = () => {
    try {
      execFileSync("ip", ["netns", "del", netns], { stdio: "ignore" });
    } catch {}
    rmSync(run, { recursive: true, force: true });
    rmSync(dataRoot, { recursive: true, force: true });
  };

  await stop(); // a crashed earlier run of this very helper
  removeAll();
  execFileSync("ip", ["netns", "add", netns]);
  execFileSync(inNetns[0]!, [...inNetns.slice(1), "ip", "link", "set", "lo", "up"]);
  await start();
  const docker = new Docker({ socketPath });

  return {
    docker,
    socketPath,
    netns,
    inNetns,
    async loadImage(from, tag) {
      try {
        await docker.getImage(tag).inspect();
        return;
      } catch {}
      const stream = await from.getImage(tag).get();
      const res = await docker.loadImage(stream);
      await new Promise((resolve, reject) => docker.modem.followProgress(res, (err) => (err ? reject(err) : resolve(null))));
    },
    async restart() {
      await stop();
      await start();
    },
    async destroy() {
      await stop();
      removeAll();
    },
  };
}
