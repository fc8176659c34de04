/**
 * Runs wrk (Debian's `wrk` package: a C load generator, so the client costs little of the two
 * cores the server shares) and reads its summary: requests/s, p50 and p99 latency, and the
 * count of non-2xx answers (a benchmark of error pages would be worthless, so any is an error).
 */
import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";

export interface WrkResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
}

export function requireWrk(): void {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
  } catch (err) {
    // wrk --version exits 1 after printing its version; only a missing binary is ENOENT.
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error("wrk is not installed: apt-get install wrk (Debian's package) and run again");
    }
  }
}

/** Milliseconds from wrk's "1.23ms", "456.00us", "1.02s". */
function ms(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value);
  if (!m) throw new Error(`cannot read wrk latency ${value}`);
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : n * 60_000;
}

export async function wrk(url: string, opts: { threads: number; connections: number; seconds: number; headers?: Record<string, string> }): Promise<WrkResult> {
  const args = ["-t", String(opts.threads), "-c", String(opts.connections), "-d", `${opts.seconds}s`, "--latency"];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push("-H", `${k}: ${v}`);
  const { stdout } = await promisify(execFile)("wrk", [...args, url]);
  const bad = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  if (bad) throw new Error(`${url}: ${bad[1]} non-2xx answers\n${stdout}`);
  const errors = /Socket errors: (.*)/.exec(stdout);
  if (errors) throw new Error(`${url}: socket errors (${errors[1]})\n${stdout}`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const requests = /(\d+) requests in/.exec(stdout);
  const p50 = /^\s+50%\s+(\S+)/m.exec(stdout);
  const p99 = /^\s+99%\s+(\S+)/m.exec(stdout);
  if (!rps || !requests || !p50 || !p99) throw new Error(`cannot read wrk's output:\n${stdout}`);
  return { requests: Number(requests[1]), rps: Number(rps[1]), p50: ms(p50[1]!), p99: ms(p99[1]!) };
}

/** CPU time (user + system, all threads) a process has used so far, in ms, from /proc (10 ms resolution). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start at ")"; utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux
