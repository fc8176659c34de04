/**
 * Every starter template sends the tenant's key to the master from where the runtime put it: the
 * file CONVERGENCE_API_KEY_FILE names (a Docker secret on Swarm), else CONVERGENCE_API_KEY. Each
 * template's server.js runs here on the host as a plain Node.js process against a stand-in master
 * that records the bearer it is sent; no Docker needed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { projectRoot } from "../shared/config.js";
import { freePort, waitFor } from "./helpers/stack.js";

const TEMPLATES = ["node-express", "node-hono"];

let master: Server;
let masterPort: number;
const bearers: string[] = [];
let dir: string;

beforeAll(async () => {
  master = createServer((req, res) => {
    bearers.push(String(req.headers.authorization ?? ""));
    req.resume();
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ success: true, result: { converged: true } }));
  });
  await new Promise<void>((r) => master.listen(0, "127.0.0.1", r));
  masterPort = (master.address() as { port: number }).port;
  dir = mkdtempSync(join(tmpdir(), "cvg-key-file-"));
});

afterAll(async () => {
  master?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the template's app with `env`, makes one convergence call through it, returns the bearer the master saw. */
async function bearerSent(template: string, env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const app: ChildProcess = spawn(process.execPath, ["server.js"], {
    cwd: join(projectRoot, "tenant-templates", template),
    env: { PATH: process.env.PATH, PORT: String(port), TENANT_ID: "tenant_0", TENANT_NAME: "key-file", CONVERGENCE_API_URL: `http://127.0.0.1:${masterPort}/api/v1`, ...env },
    stdio: "ignore",
  });
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok ?? false, { timeoutMs: 15_000, what: `${template} to listen` });
    const before = bearers.length;
    const res = await fetch(`http://127.0.0.1:${port}/api/converge`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: "p", agentARole: "A", agentBRole: "B" }),
    });
    expect(res.status).toBe(200);
    expect(bearers.length).toBe(before + 1);
    return bearers.at(-1)!;
  } finally {
    app.kill("SIGKILL");
  }
}

describe.each(TEMPLATES)("the %s template", (template) => {
  test("sends the key from the file CONVERGENCE_API_KEY_FILE names (a Swarm secret)", async () => {
    const file = join(dir, `${template}-key`);
    writeFileSync(file, "sk_tenant_fromfile\n", { mode: 0o400 });
    expect(await bearerSent(template, { CONVERGENCE_API_KEY_FILE: file })).toBe("Bearer sk_tenant_fromfile");
  });

  test("sends CONVERGENCE_API_KEY when no key file is given", async () => {
    expect(await bearerSent(template, { CONVERGENCE_API_KEY: "sk_tenant_fromenv" })).toBe("Bearer sk_tenant_fromenv");
  });
});
