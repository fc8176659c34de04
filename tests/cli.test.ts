/**
 * The `convergence` command, run as a user runs it: the bin that npm links into
 * node_modules/.bin, in a child process, with a temporary HOME and XDG_CONFIG_HOME, against the
 * real stack. Covers login and where it is stored, spawn --wait, ls, status, logs (and logs -f), usage,
 * destroy --wait, org create, --json output, and the exit codes (1 failed, 2 usage, 3 auth).
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../shared/config.js";
import { tenantUrl } from "../shared/ingress/hostname.js";
import { ownedContainers, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";
import { printInTenant } from "./helpers/tenant-print.js";

const bin = join(projectRoot, "node_modules/.bin/convergence");
const adminToken = `cvg_org_${randomBytes(24).toString("base64url")}`;
let stack: Stack;
let org: { id: number; token: string };
let home: string;
const created: number[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the command with a clean environment: no inherited CONVERGENCE_* variables, our own HOME. */
function convergence(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const { CONVERGENCE_URL: _u, CONVERGENCE_TOKEN: _t, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(bin, args, { env: { ...inherited, HOME: home, XDG_CONFIG_HOME: join(home, "xdg"), ...env }, cwd: home, timeout: 170_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

/** Starts a long-running command (logs -f): its stdout lines as they come, and its exit code. */
function following(args: string[]) {
  const { CONVERGENCE_URL: _u, CONVERGENCE_TOKEN: _t, ...inherited } = process.env;
  const child = spawn(bin, args, { env: { ...inherited, HOME: home, XDG_CONFIG_HOME: join(home, "xdg") }, cwd: home, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const result = {
    child,
    exited,
    stderr: () => err,
    get lines() {
      return out.split("\n").filter((l) => l.length > 0);
    },
    until: (predicate: (lines: string[]) => boolean, what: string) => waitFor(async () => predicate(result.lines), { timeoutMs: 30_000, what: `${what}; stdout so far: ${out}; stderr: ${err}` }),
  };
  return result;
}

/** Runs with --json and parses stdout, which must be one JSON document and nothing else. */
async function convergenceJson<T = any>(args: string[], env?: Record<string, string>): Promise<Run & { json: T }> {
  const run = await convergence([...args, "--json"], env);
  let json: T;
  try {
    json = JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`--json printed something that is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
  return { ...run, json };
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "convergence-cli-"));
  stack = await startStack("cli", { CONVERGENCE_ADMIN_TOKEN: adminToken, TENANT_READY_TIMEOUT_MS: "3000", PROVISION_ATTEMPTS: "1" });
  org = await stack.newOrg("cli-org");
});

afterAll(async () => {
  for (const envId of created) await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token }).catch(() => {});
  for (const envId of created) await waitForStatus(stack, org.token, envId, ["destroyed"]).catch(() => {});
  await stack?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe("convergence login", () => {
  it("refuses a bad token with exit 3 and stores nothing; stores a good one in $XDG_CONFIG_HOME/convergence with mode 600", async () => {
    const file = join(home, "xdg", "convergence", "config.json");
    const bad = await convergence(["login", "--url", stack.url, "--token", "cvg_org_wrong"]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/invalid organisation token/);
    expect(existsSync(file)).toBe(false);

    const good = await convergence(["login", "--url", stack.url, "--token", org.token]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, "xdg", "convergence")).mode & 0o777).toBe(0o700);
    expect(existsSync(join(home, ".config"))).toBe(false); // XDG_CONFIG_HOME is respected

    const listed = await convergenceJson(["tenant", "ls"]);
    expect(listed.code).toBe(0);
    expect(Array.isArray(listed.json)).toBe(true);
  });
});

describe("convergence tenant", () => {
  it("spawn --wait shows each state as it happens, then the port, URL and key; ls, status, logs, usage and destroy --wait follow it", async () => {
    const spawned = await convergence(["tenant", "spawn", "cli-app", "--template", "node/express", "--wait"]);
    expect(spawned.code, spawned.stderr).toBe(0);
    // Progress (stderr, one line per state when not on a terminal), in order.
    const states = [...spawned.stderr.matchAll(/: (pending|provisioning|starting|ready)\b/g)].map((m) => m[1]);
    expect(states).toEqual(["pending", "provisioning", "starting", "ready"]);
    const first = Number(/^✓ cli-app is ready \(tenant_(\d+),/m.exec(spawned.stdout)?.[1]);
    created.push(first);
    const key = /key\s+(sk_tenant_\S+)/.exec(spawned.stdout)?.[1];
    const port = Number(/port\s+(\d+)/.exec(spawned.stdout)?.[1]);
    expect(key).toBeDefined();
    expect(spawned.stdout).toContain(`url   ${tenantUrl(stack.config, { name: "cli-app", envId: first })}`);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);

    const withJson = await convergenceJson(["tenant", "spawn", "cli-json", "--wait"]);
    expect(withJson.code, withJson.stderr).toBe(0);
    expect(withJson.stderr).toBe(""); // --json: machine-readable output only
    expect(withJson.json).toMatchObject({ name: "cli-json", status: "ready", language: "node", framework: "express" });
    expect(withJson.json.apiKey).toMatch(/^sk_tenant_/);
    const envId = withJson.json.envId as number;
    created.push(envId);

    const ls = await convergenceJson(["tenant", "ls", "--status", "ready"]);
    expect(ls.json.map((t: { envId: number }) => t.envId)).toEqual(expect.arrayContaining([envId, first]));
    expect(ls.json.every((t: { status: string }) => t.status === "ready")).toBe(true);
    const table = await convergence(["tenant", "ls"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+NAME\s+STATUS\s+TEMPLATE\s+PORT\s+URL\s+CREATED$/);
    expect(table.stdout).toMatch(new RegExp(`^\\s*${envId}\\s+cli-json\\s+ready\\s+node/express\\s+${withJson.json.port}\\s`, "m"));

    const status = await convergenceJson(["tenant", "status", `tenant_${envId}`]);
    expect(status.json).toMatchObject({ envId, status: "ready", port: withJson.json.port });
    expect(status.json.apiKey).toBeUndefined();

    const logs = await convergenceJson(["tenant", "logs", String(envId), "--tail", "5"]);
    expect(logs.json.some((l: string) => l.includes("listening on 3000"))).toBe(true);

    // A convergence call by the tenant shows up in usage, in the table with its sparkline too.
    const call = await stack.api("/api/v1/converge", { token: withJson.json.apiKey, body: { prompt: "Design a CLI", agentARole: "Architect", agentBRole: "Reviewer" } });
    expect(call.status).toBe(200);
    const usage = await convergenceJson(["usage", "--tenant", String(envId)]);
    expect(usage.json.tenants).toEqual([expect.objectContaining({ envId, calls: 1, succeeded: 1 })]);
    expect(usage.json.tenants[0].days.map((d: { calls: number }) => d.calls)).toEqual([1]);
    const usageTable = await convergence(["usage"]);
    expect(usageTable.code).toBe(0);
    expect(usageTable.stdout).toMatch(new RegExp(`^tenant_${envId}\\s+cli-json\\s+1\\s+1\\s+0\\s+0\\s.*[▁▂▃▄▅▆▇]*█`, "m"));

    const destroyed = await convergenceJson(["tenant", "destroy", String(envId), "--wait"]);
    expect(destroyed.code).toBe(0);
    expect(destroyed.json).toMatchObject({ envId, status: "destroyed" });
    expect(await ownedContainers(stack, envId)).toHaveLength(0);
    const afterDestroy = await convergenceJson(["tenant", "ls"]);
    expect(afterDestroy.json.map((t: { envId: number }) => t.envId)).not.toContain(envId); // destroyed ones only with --all
    expect((await convergenceJson(["tenant", "ls", "--all"])).json.map((t: { envId: number }) => t.envId)).toContain(envId);
  });

  it("logs -f prints each line as the tenant prints it, across a rotate-key, until Ctrl-C (exit 130) or the tenant is destroyed (exit 0); --json prints one object per line", async () => {
    const spawned = await convergenceJson(["tenant", "spawn", "cli-logs", "--wait"]);
    expect(spawned.code, spawned.stderr).toBe(0);
    const envId = spawned.json.envId as number;
    created.push(envId);
    const run = randomBytes(4).toString("hex");

    const json = following(["tenant", "logs", String(envId), "-f", "--tail", "1", "--json"]);
    const text = following(["tenant", "logs", `tenant_${envId}`, "--follow", "--tail", "1"]);
    try {
      // The tail arriving says each is connected; what is printed after it comes live.
      await json.until((lines) => lines.length >= 1, "the tail (--json)");
      await text.until((lines) => lines.length >= 1, "the tail");
      expect(JSON.parse(json.lines[0]!)).toEqual({ at: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/), line: `tenant_${envId} (cli-logs) listening on 3000` });
      await printInTenant(stack, envId, `live ${run}`);
      await json.until((lines) => lines.length >= 2, "the live line (--json)");
      await text.until((lines) => lines.length >= 2, "the live line");
      expect(json.lines.map((l) => JSON.parse(l).line)).toEqual([`tenant_${envId} (cli-logs) listening on 3000`, `live ${run}`]);
      expect(text.lines[1]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z live ${run}$`));

      text.child.kill("SIGINT"); // Ctrl-C
      expect(await text.exited).toBe(130);

      // rotate-key re-creates the container with a new key: the follow goes on with the new container's lines.
      const rotated = await convergenceJson(["tenant", "rotate-key", String(envId)]);
      expect(rotated.code, rotated.stderr).toBe(0);
      expect(rotated.json.apiKey).toMatch(/^sk_tenant_/);
      expect(rotated.json.apiKey).not.toBe(spawned.json.apiKey);
      await json.until((lines) => lines.length >= 3, "the new container's start-up line (--json)");
      expect(JSON.parse(json.lines[2]!).line).toBe(`tenant_${envId} (cli-logs) listening on 3000`);

      const destroyed = await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
      expect(destroyed.status).toBe(202);
      expect(await json.exited).toBe(0);
      expect(json.stderr()).toBe("");
    } finally {
      json.child.kill("SIGKILL");
      text.child.kill("SIGKILL");
    }
  });

  it("a tenant that fails makes spawn --wait exit 1, saying why", async () => {
    const failed = await convergenceJson(["tenant", "spawn", "cli-broken", "--template", "node/unhealthy", "--wait"]);
    created.push(failed.json.tenant?.envId);
    expect(failed.code).toBe(1);
    expect(failed.json).toMatchObject({ success: false, error: { code: "TENANT_FAILED" }, tenant: { name: "cli-broken", status: "failed" } });
    expect(failed.json.error.message).toMatch(/step "health"/);

    const text = await convergence(["tenant", "spawn", "cli-broken-2", "--template", "node/unhealthy", "--wait"]);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/failed: provisioning failed at step "health"/);
    const id = Number(/\(tenant_(\d+)\)/.exec(text.stderr)?.[1]);
    created.push(id);
  });

  it("bad flags and arguments exit 2, bad or missing credentials exit 3, and --json reports both as JSON", async () => {
    const flag = await convergenceJson(["tenant", "ls", "--bogus"]);
    expect(flag.code).toBe(2);
    expect(flag.json).toMatchObject({ success: false, error: { code: "USAGE", message: expect.stringMatching(/--bogus/) } });
    expect((await convergence(["tenant", "status", "not-an-id"])).code).toBe(2);
    expect((await convergence(["tenant", "spawn", "x", "--template", "express"])).code).toBe(2);
    expect((await convergence(["usage", "--from", "yesterday"])).code).toBe(2);
    expect((await convergence(["tenant", "frobnicate"])).code).toBe(2);
    // The API refusing the input is a usage error too.
    const invalid = await convergenceJson(["tenant", "spawn", "Not_A_Label"]);
    expect(invalid.code).toBe(2);
    expect(invalid.json.error.code).toBe("VALIDATION_FAILED");

    // CONVERGENCE_TOKEN overrides the stored login: a bad one is an auth error.
    const badToken = await convergenceJson(["tenant", "ls"], { CONVERGENCE_TOKEN: "cvg_org_wrong" });
    expect(badToken.code).toBe(3);
    expect(badToken.json).toMatchObject({ success: false, error: { code: "UNAUTHORIZED", status: 401 } });
    const elsewhere = mkdtempSync(join(tmpdir(), "convergence-cli-nologin-"));
    try {
      const notLoggedIn = await convergence(["tenant", "ls"], { HOME: elsewhere, XDG_CONFIG_HOME: join(elsewhere, "xdg") });
      expect(notLoggedIn.code).toBe(3);
      expect(notLoggedIn.stderr).toMatch(/not logged in/);
      // CONVERGENCE_URL and CONVERGENCE_TOKEN alone are enough.
      const fromEnv = await convergenceJson(["tenant", "ls"], { HOME: elsewhere, XDG_CONFIG_HOME: join(elsewhere, "xdg"), CONVERGENCE_URL: stack.url, CONVERGENCE_TOKEN: org.token });
      expect(fromEnv.code).toBe(0);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("org create needs the operator; the token it prints once works", async () => {
    const refused = await convergenceJson(["org", "create", "not-allowed"]);
    expect(refused.code).toBe(3);
    expect(refused.json.error).toMatchObject({ code: "FORBIDDEN", status: 403 });

    const made = await convergenceJson(["org", "create", "cli-made"], { CONVERGENCE_TOKEN: adminToken });
    expect(made.code, made.stdout).toBe(0);
    expect(made.json.organisation).toMatchObject({ name: "cli-made" });
    const asNew = await convergenceJson(["tenant", "ls"], { CONVERGENCE_TOKEN: made.json.token });
    expect(asNew.code).toBe(0);
    expect(asNew.json).toEqual([]);
  });
});
