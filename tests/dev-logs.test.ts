/**
 * `npm run dev` (scripts/start.ts --dev) shows the API's and the worker's logs through pino-pretty:
 * readable lines, not JSON, and without colour codes when its output is not a terminal. `npm start`
 * keeps JSON (tests/supervisor.test.ts reads its lines).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../shared/config.js";
import { freePort, stackEnv, waitFor } from "./helpers/stack.js";

let dev: ChildProcess;
let stdout = "";
let url: string;

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // As `npm run dev` runs it (package.json), on a pipe: no terminal, so no colours.
  dev = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts", "--dev"], {
    cwd: projectRoot,
    env: await stackEnv("devlogs", port, { NO_COLOR: "" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  dev.stdout!.on("data", (d: Buffer) => (stdout += d));
  await waitFor(
    () =>
      fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
    { timeoutMs: 30_000, what: "the API under npm run dev" },
  );
  // A request line (401: no credential), and the worker's start-up lines.
  await fetch(`${url}/api/v1/tenant`);
  await waitFor(async () => /\(api\): request/.test(stdout) && /\(worker\):/.test(stdout), { timeoutMs: 15_000, what: "the API's request line and a worker line" });
});

afterAll(async () => {
  if (!dev || dev.exitCode !== null || dev.signalCode !== null) return;
  const exited = new Promise((r) => dev.once("exit", r));
  dev.kill("SIGINT"); // stops the API and the worker, as Ctrl-C does
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (dev.exitCode === null && dev.signalCode === null) dev.kill("SIGKILL");
});

describe("npm run dev's logs", () => {
  it("are pino-pretty lines from both processes: time, level, process, message, fields below", () => {
    expect(stdout).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(api\): request$/m);
    expect(stdout).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] [A-Z]+ \(worker\): /m);
    expect(stdout).toMatch(/^ {4}status: 401$/m);
  });

  it("are never JSON, and carry no colour codes on a pipe", () => {
    expect(stdout.split("\n").filter((l) => l.startsWith('{"level"'))).toEqual([]);
    expect(stdout).not.toContain("\u001b[");
  });
});
