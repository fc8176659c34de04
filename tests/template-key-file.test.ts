/**
 * Every starter template sends the tenant's key to the master from where the runtime put it: the
 * file CONVERGENCE_API_KEY_FILE names (a Docker secret on Swarm), else CONVERGENCE_API_KEY. Each
 * template's app runs against a stand-in master that records the bearer it is sent: the Node ones
 * as plain Node.js processes on the host, the Go one as its compiled binary, the Python and Bun
 * ones in their template image on the host's network (their runtimes are only in the image).
 */
import Docker from "dockerode";
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig, projectRoot } from "../shared/config.js";
import { DockerRuntime } from "../shared/runtime/docker/index.js";
import { baseImageOf, TemplateRegistry } from "../shared/templates.js";
import { freePort, TEST_OWNER, waitFor } from "./helpers/stack.js";

/** How each template's app is started here: on the host, or in its image (`language/framework`). */
const TEMPLATES: Record<string, { host: string[] } | { image: string }> = {
  "node-express": { host: [process.execPath, "server.js"] },
  "node-hono": { host: [process.execPath, "server.js"] },
  "go-stdlib": { host: ["./server"] },
  "python-fastapi": { image: "python/fastapi" },
  "bun-hono": { image: "bun/hono" },
};
const docker = new Docker();
const started = new Set<string>();

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
  for (const name of started)
    await docker
      .getContainer(name)
      .remove({ force: true })
      .catch(() => {});
  master?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the template's app with `env` (and `keyFile`, if given, readable at that path); resolves to how to stop it. */
async function startApp(template: string, port: number, env: Record<string, string>, keyFile?: string): Promise<() => Promise<void>> {
  const how = TEMPLATES[template]!;
  const appEnv = { PORT: String(port), TENANT_ID: "tenant_0", TENANT_NAME: "key-file", CONVERGENCE_API_URL: `http://127.0.0.1:${masterPort}/api/v1`, ...env };
  if ("host" in how) {
    const app: ChildProcess = spawn(how.host[0]!, how.host.slice(1), { cwd: join(projectRoot, "tenant-templates", template), env: { PATH: process.env.PATH, ...appEnv }, stdio: "ignore" });
    return async () => void app.kill("SIGKILL");
  }
  const config = loadConfig();
  const [language, framework] = how.image.split("/") as [string, string];
  const t = new TemplateRegistry(config.TEMPLATES_DIR).get(language, framework)!;
  const image = await new DockerRuntime({ socketPath: config.DOCKER_SOCKET, owner: TEST_OWNER }).ensureImage(t, baseImageOf(config, t));
  const name = `cvgtest-key-file-${process.pid}-${port}`;
  started.add(name);
  const c = await docker.createContainer({
    name,
    Image: image,
    User: "1000:1000",
    Env: Object.entries(appEnv).map(([k, v]) => `${k}=${v}`),
    HostConfig: { NetworkMode: "host", ReadonlyRootfs: true, CapDrop: ["ALL"], Binds: keyFile ? [`${keyFile}:${keyFile}:ro`] : [] },
  });
  await c.start();
  return async () => {
    await c.remove({ force: true });
    started.delete(name);
  };
}

/** Starts the template's app with `env`, makes one convergence call through it, returns the bearer the master saw. */
async function bearerSent(template: string, env: Record<string, string>, keyFile?: string): Promise<string> {
  const port = await freePort();
  const stop = await startApp(template, port, env, keyFile);
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok ?? false, { timeoutMs: 30_000, what: `${template} to listen` });
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
    await stop();
  }
}

describe.each(Object.keys(TEMPLATES))("the %s template", (template) => {
  test("sends the key from the file CONVERGENCE_API_KEY_FILE names (a Swarm secret)", async () => {
    const file = join(dir, `${template}-key`);
    // Readable by the app's user in a container (1000), as a Swarm secret is.
    writeFileSync(file, "sk_tenant_fromfile\n", { mode: 0o444 });
    chmodSync(dir, 0o755);
    expect(await bearerSent(template, { CONVERGENCE_API_KEY_FILE: file }, file)).toBe("Bearer sk_tenant_fromfile");
  });

  test("sends CONVERGENCE_API_KEY when no key file is given", async () => {
    expect(await bearerSent(template, { CONVERGENCE_API_KEY: "sk_tenant_fromenv" })).toBe("Bearer sk_tenant_fromenv");
  });
});
