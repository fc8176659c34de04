/**
 * Small system helpers for the local swarm: run a program with an argument array (never a shell
 * string), start a detached daemon, find and signal exactly the processes of one node (by network
 * namespace and cgroup, never by name), and undo mounts under a directory of ours.
 */
import { execFile, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, readdirSync, readlinkSync, rmdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Runs `cmd args…` and returns stdout; the error names the command and carries its stderr. */
export async function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await execFileAsync(cmd, args, { encoding: "utf8", maxBuffer: 32 << 20, env: env ?? process.env });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`\`${cmd} ${args.join(" ")}\` failed: ${(e.stderr || e.message).trim()}`);
  }
}

export async function succeeds(cmd: string, args: string[]): Promise<boolean> {
  try {
    await execFileAsync(cmd, args, { encoding: "utf8" });
    return true;
  } catch {
    return false;
  }
}

/** Starts a long-running program in its own session, output appended to `logFile`; returns its pid. */
export function startDetached(cmd: string, args: string[], logFile: string): number {
  const fd = openSync(logFile, "a");
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ["ignore", fd, fd] });
    if (!child.pid) throw new Error(`could not start ${cmd}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function cmdline(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return null;
  }
}

/** True when `pid` is a live process (not a zombie). */
export function isAlive(pid: number): boolean {
  return pid > 0 && (cmdline(pid) ?? "") !== "";
}

/** True when `pid` is alive and its command line contains `marker` (a path only we use): guards against pid reuse. */
export function isOurProcess(pid: number | undefined, marker: string): pid is number {
  if (!pid) return false;
  const cmd = cmdline(pid);
  if (cmd === null || cmd === "") return false; // gone, or a zombie
  return cmd.includes(marker);
}

/** Every process whose network namespace is the one bound at `nsPath` (e.g. /run/netns/cvg-n1). */
export function pidsInNetns(nsPath: string): number[] {
  if (!existsSync(nsPath)) return [];
  const inode = statSync(nsPath).ino;
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const link = readlinkSync(`/proc/${entry}/ns/net`); // "net:[4026532001]"
      if (link === `net:[${inode}]`) pids.push(Number(entry));
    } catch {
      // exited meanwhile, or a kernel thread
    }
  }
  return pids;
}

/** The cgroup hierarchy that holds every process (v2 root, or v1's pids controller). */
function cgroupRoot(): string {
  return existsSync("/sys/fs/cgroup/cgroup.controllers") ? "/sys/fs/cgroup" : "/sys/fs/cgroup/pids";
}

/** Every process in cgroup `name` (a top-level cgroup of ours, e.g. a node's --cgroup-parent) and below. */
export function pidsInCgroup(name: string): number[] {
  const pids: number[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    try {
      for (const line of readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n")) if (line) pids.push(Number(line));
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
    } catch {
      // removed meanwhile
    }
  };
  walk(join(cgroupRoot(), name));
  return pids;
}

/** Removes the (empty, after a kill) cgroup `name` and its children in every mounted hierarchy. */
export function removeCgroup(name: string): void {
  const roots = existsSync("/sys/fs/cgroup/cgroup.controllers") ? ["/sys/fs/cgroup"] : readdirSync("/sys/fs/cgroup").map((d) => join("/sys/fs/cgroup", d));
  for (const root of roots) {
    const top = join(root, name);
    if (!existsSync(top)) continue;
    const dirs: string[] = [];
    const walk = (dir: string) => {
      dirs.push(dir);
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
    };
    try {
      walk(top);
    } catch {
      continue;
    }
    for (const dir of dirs.reverse()) {
      try {
        // rmdir(2) on a cgroup directory: its pseudo-files go with it; fails while processes remain.
        rmdirSync(dir);
      } catch {
        // still busy: left for the next `down`
      }
    }
  }
}

/** SIGKILLs what `collect` returns until it returns nothing (processes may fork meanwhile). */
export async function killUntilGone(collect: () => number[], timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const killed = new Set<number>();
  for (;;) {
    const pids = collect().filter((p) => p !== process.pid);
    const alive = pids.filter((p) => (cmdline(p) ?? "") !== ""); // zombies are waiting for their parent only
    if (!alive.length) return killed.size;
    if (Date.now() > deadline) throw new Error(`processes still alive after SIGKILL: ${alive.join(", ")}`);
    for (const pid of alive) {
      try {
        process.kill(pid, "SIGKILL");
        killed.add(pid);
      } catch {
        // already gone
      }
    }
    await sleep(50);
  }
}

export async function waitExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((cmdline(pid) ?? "") === "") return true;
    await sleep(100);
  }
  return false;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Mount points at or below `dir`, deepest first (from /proc/self/mountinfo; paths are octal-escaped there). */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith("/") ? dir : `${dir}/`;
  const out: string[] = [];
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const field = line.split(" ")[4];
    if (!field) continue;
    const point = field.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
    if (point === dir || point.startsWith(prefix)) out.push(point);
  }
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

export async function unmountUnder(dir: string): Promise<void> {
  for (const point of mountsUnder(dir)) await run("umount", ["-l", point]).catch(() => {});
}

export async function waitUntil(fn: () => Promise<boolean> | boolean, timeoutMs: number, what: string, detail?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      await Promise.resolve()
        .then(fn)
        .catch(() => false)
    )
      return;
    await sleep(200);
  }
  throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${detail ? `\n${detail()}` : ""}`);
}

/** The last lines of a log file, for error messages. */
export function tailFile(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
