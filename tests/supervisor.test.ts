/**
 * `npm start` is a supervisor: a crashed API or worker is restarted (with a log line saying so)
 * while the other keeps running, and SIGINT (Ctrl-C) stops everything.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../shared/config.js";
import { freePort, stackEnv, waitFor } from "./helpers/stack.js";

let supervisor: ChildProcess;
let output = "";
let url: string;

/** The supervisor's children, by role (api/worker), from their command lines. */
function children(): { api?: number; worker?: number } {
  let pids: number[] = [];
  try {
    pids = execFileSync("pgrep", ["-P", String(supervisor.pid)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return {};
  }
  const roles: { api?: number; worker?: number } = {};
  for (const pid of pids) {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    if (/api\/main\.[jt]s/.test(cmdline)) roles.api = pid;
    if (/worker\/main\.[jt]s/.test(cmdline)) roles.worker = pid;
  }
  return roles;
}

const healthy = () =>
  fetch(`${url}/healthz`).then(
    (r) => r.ok,
    () => false,
  );

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  supervisor = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: projectRoot,
    env: await stackEnv("supervisor", port),
    stdio: ["ignore", "pipe", "pipe"],
  });
  supervisor.stdout!.on("data", (d: Buffer) => (output += d));
  supervisor.stderr!.on("data", (d: Buffer) => (output += d));
  await waitFor(async () => (await healthy()) && children().worker, { timeoutMs: 30_000, what: "the API and the worker to be up" });
});

afterAll(async () => {
  if (supervisor && supervisor.exitCode === null && supervisor.signalCode === null) {
    const left = Object.values(children()); // before the supervisor goes: its orphans are no longer its children
    supervisor.kill("SIGKILL");
    for (const pid of left) process.kill(pid!, "SIGKILL");
  }
});

describe("npm start supervises the API and the worker", () => {
  it("passes the log lines through as JSON, as they are (npm run dev shows them readable)", async () => {
    await fetch(`${url}/api/v1/tenant`); // a request line (401: no credential), written within ~200 ms
    const line = /^\{"level":30,"time":\d+,"pid":\d+,"hostname":"[^"]*","name":"api",.*"status":401,.*"msg":"request"\}$/m;
    await waitFor(async () => line.test(output), { timeoutMs: 10_000, what: "the API's request line, as JSON" });
  });

  it("restarts a worker killed with SIGKILL, and the API keeps answering meanwhile", async () => {
    const before = children();
    process.kill(before.worker!, "SIGKILL");
    const restarted = await waitFor(
      async () => {
        const now = children();
        return now.worker && now.worker !== before.worker ? now : null;
      },
      { timeoutMs: 20_000, what: "a new worker process" },
    );
    expect(restarted.api).toBe(before.api);
    expect(await healthy()).toBe(true);
    expect(output).toMatch(/\[start\] worker exited \(SIGKILL\) after \d+s; restarting in \d+s \(restart #1\)/);
  });

  it("restarts a crashed API, which answers again", async () => {
    const before = children();
    process.kill(before.api!, "SIGKILL");
    await waitFor(
      async () => {
        const now = children();
        return now.api && now.api !== before.api && (await healthy());
      },
      { timeoutMs: 30_000, what: "the API to be back" },
    );
    expect(children().worker).toBe(before.worker);
    expect(output).toMatch(/\[start\] api exited \(SIGKILL\)/);
  });

  it("stops both children and exits on SIGINT (Ctrl-C)", async () => {
    const { api, worker } = children();
    const exited = new Promise<number | null>((resolve) => supervisor.once("exit", (code) => resolve(code)));
    supervisor.kill("SIGINT");
    expect(await exited).toBe(0);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await waitFor(async () => !alive(api!) && !alive(worker!), { timeoutMs: 5_000, what: "both children to have exited" });
  });
});

describe("npm start with a configuration its children refuse", () => {
  it("stops and exits 78 with the child's message when ENCRYPTION_KEY is not the database's, instead of restarting it for ever", async () => {
    const env = { ...(await stackEnv("supervisor-wrong-key", await freePort())), ENCRYPTION_KEY: randomBytes(32).toString("base64") };
    const wrong = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { cwd: projectRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    wrong.stdout!.on("data", (d: Buffer) => (out += d));
    wrong.stderr!.on("data", (d: Buffer) => (out += d));
    try {
      await waitFor(async () => wrong.exitCode !== null || wrong.signalCode !== null, { timeoutMs: 90_000, what: "the supervisor to exit" });
    } finally {
      if (wrong.exitCode === null && wrong.signalCode === null) {
        wrong.kill("SIGTERM"); // it stops its children
        await new Promise((resolve) => wrong.once("exit", resolve));
      }
    }
    expect(wrong.exitCode).toBe(78);
    expect(out).toContain("ENCRYPTION_KEY is not the key this database's secrets are encrypted with");
    expect(out).toMatch(/refused to start: its configuration is wrong/);
    expect(out).not.toContain("restarting in");
  });
});
