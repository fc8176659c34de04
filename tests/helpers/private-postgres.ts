/**
 * A throw-away PostgreSQL cluster for tests that must stop, freeze or restart Postgres without
 * touching the server every other test (and every other engineer) on this machine uses:
 * initdb into a temp directory as the `postgres` user, listening on a free port on 127.0.0.1 with
 * its socket in that directory, migrated like the real one. Only processes of this cluster are
 * ever signalled, by the pids its own postmaster.pid names.
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { projectRoot } from "../../shared/config.js";
import { freePort } from "./stack.js";

const pgBin = process.env.TEST_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/** Why a private cluster cannot be made here, or null if it can. */
export function privatePostgresUnavailable(): string | null {
  for (const tool of ["initdb", "pg_ctl"]) {
    if (!existsSync(join(pgBin, tool))) return `${join(pgBin, tool)} is missing (set TEST_PG_BIN to the PostgreSQL bin directory)`;
  }
  try {
    execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
  } catch {
    return "there is no `postgres` system user to run a private cluster as";
  }
  return null;
}

export interface PrivatePostgres {
  url: string;
  port: number;
  stop(): void;
  start(): void;
  /** SIGSTOP the postmaster and its backends: connections hang instead of being refused. */
  freeze(): void;
  thaw(): void;
  destroy(): void;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  const dir = mkdtempSync(join(tmpdir(), "cvg-pg-"));
  chownSync(dir, uid, gid);
  const data = join(dir, "data");
  const port = await freePort();
  const asPostgres = (tool: string, args: string[]) => execFileSync("runuser", ["-u", "postgres", "--", join(pgBin, tool), ...args], { cwd: dir, stdio: "pipe", encoding: "utf8" });

  asPostgres("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = () => asPostgres("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "30", "start"]);
  const stop = () => asPostgres("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "30", "stop"]);
  start();

  const admin = postgres({ host: "127.0.0.1", port, user: "postgres", database: "postgres", max: 1, onnotice: () => {} });
  await admin.unsafe("create role convergence login password 'convergence'");
  await admin.unsafe("create database convergence owner convergence");
  await admin.end();
  const url = `postgres://convergence:convergence@127.0.0.1:${port}/convergence`;
  execFileSync(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], { cwd: projectRoot, env: { ...process.env, DATABASE_URL: url }, stdio: "pipe" });

  const clusterPids = (): number[] => {
    const postmaster = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    let children: number[] = [];
    try {
      children = execFileSync("pgrep", ["-P", String(postmaster)], { encoding: "utf8" })
        .split("\n")
        .filter(Boolean)
        .map(Number);
    } catch {}
    return [postmaster, ...children];
  };
  const signal = (sig: NodeJS.Signals) => clusterPids().forEach((pid) => process.kill(pid, sig));
  let frozen = false;
  let running = true;

  return {
    url,
    port,
    stop() {
      stop();
      running = false;
    },
    start() {
      start();
      running = true;
    },
    freeze() {
      signal("SIGSTOP");
      frozen = true;
    },
    thaw() {
      signal("SIGCONT");
      frozen = false;
    },
    destroy() {
      try {
        if (frozen) signal("SIGCONT");
        if (running) stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
