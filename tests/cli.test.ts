/**
 * The `convergence` command, run as a user runs it: the bin that npm links into
 * node_modules/.bin, in a child process, with a temporary HOME and XDG_CONFIG_HOME, against the
 * real stack. Covers login (token hidden on a terminal, or from stdin) and where it is stored,
 * contexts, logout and whoami, spawn --wait, ls, status, logs (and logs -f), usage, destroy (asks on
 * a terminal, --yes elsewhere), webhooks secret, org show and rotate-token, token create, shell
 * completion, colours (a terminal only, never with NO_COLOR), org create, --json output, and the
 * exit codes (1 failed, 2 usage, 3 auth). A terminal is a real pseudo-terminal, from util-linux's
 * `script`.
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
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

/** The environment a command gets: no inherited CONVERGENCE_* or NO_COLOR, our own HOME. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const { CONVERGENCE_URL: _u, CONVERGENCE_TOKEN: _t, CONVERGENCE_CONTEXT: _c, NO_COLOR: _n, ...inherited } = process.env;
  return { ...inherited, HOME: home, XDG_CONFIG_HOME: join(home, "xdg"), ...env };
}

/** Runs the command with a clean environment; `input`, when given, is its stdin. */
function convergence(args: string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(bin, args, { env: cleanEnv(env), cwd: home, timeout: 170_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? "");
  });
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the command on a pseudo-terminal (stdin, stdout and stderr all a TTY), answering `answer`
 * once `prompt` shows; `output` is everything the terminal showed.
 */
function onTerminal(args: string[], options: { env?: Record<string, string>; prompt?: RegExp; answer?: string } = {}): Promise<{ code: number | null; output: string }> {
  const command = [bin, ...args].map(shellQuote).join(" ");
  const child = spawn("script", ["-qec", command, "/dev/null"], { env: cleanEnv(options.env ?? {}), cwd: home, stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  let answered = false;
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
    if (!answered && options.prompt?.test(output)) {
      answered = true;
      child.stdin.write(options.answer ?? "");
    }
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

/** Starts a long-running command (logs -f): its stdout lines as they come, and its exit code. */
function following(args: string[]) {
  const child = spawn(bin, args, { env: cleanEnv({}), cwd: home, stdio: ["ignore", "pipe", "pipe"] });
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
  it("refuses a bad token with exit 3 and stores nothing; stores a good one from stdin in $XDG_CONFIG_HOME/convergence with mode 600", async () => {
    const file = join(home, "xdg", "convergence", "config.json");
    const bad = await convergence(["login", "--url", stack.url, "--token-stdin"], {}, "cvg_org_wrong\n");
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/invalid organisation token/);
    expect(existsSync(file)).toBe(false);
    // Not a terminal and no --token-stdin: nothing to read the token from, a usage error.
    const noToken = await convergence(["login", "--url", stack.url]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/--token-stdin/);

    const good = await convergence(["login", "--url", stack.url, "--token-stdin"], {}, `${org.token}\n`);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain(file);
    expect(good.stdout).toContain(`organisation ${org.id}`);
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

    const destroyed = await convergenceJson(["tenant", "destroy", String(envId), "--wait", "--yes"]);
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

describe("logins people keep", () => {
  /** A HOME of its own, so these logins and logouts leave the other tests' login alone. */
  function ownHome() {
    const dir = mkdtempSync(join(tmpdir(), "convergence-cli-ctx-"));
    return { dir, env: { HOME: dir, XDG_CONFIG_HOME: join(dir, "xdg") }, file: join(dir, "xdg", "convergence", "config.json") };
  }

  it("login on a terminal asks for the token without echoing it; named contexts, whoami and logout", async () => {
    const own = ownHome();
    try {
      const other = await stack.newOrg("cli-other");
      const asked = await onTerminal(["login", "--url", stack.url], { env: own.env, prompt: /not shown\): $/, answer: `${org.token}\r` });
      expect(asked.code, asked.output).toBe(0);
      expect(asked.output).toMatch(/Logged in to .* as organisation \d+ .*context .*default/);
      expect(asked.output).not.toContain(org.token); // typed, never shown
      const second = await convergence(["login", "--context", "other", "--url", stack.url, "--token-stdin"], own.env, other.token);
      expect(second.code, second.stderr).toBe(0);
      expect(statSync(own.file).mode & 0o777).toBe(0o600);

      // The last login is the current context; --context picks another for one command; `context use` switches.
      const listed = await convergenceJson(["context", "ls"], own.env);
      expect(listed.json).toEqual([
        { name: "default", url: stack.url, current: false },
        { name: "other", url: stack.url, current: true },
      ]);
      expect((await convergence(["context", "ls"], own.env)).stdout).toMatch(/^\*\s+other\s/m);
      expect((await convergenceJson(["whoami"], own.env)).json).toMatchObject({ context: "other", tokenFrom: "context", organisation: { id: other.id } });
      expect((await convergenceJson(["whoami", "--context", "default"], own.env)).json).toMatchObject({ context: "default", organisation: { id: org.id } });
      expect((await convergenceJson(["whoami"], { ...own.env, CONVERGENCE_CONTEXT: "default" })).json.organisation.id).toBe(org.id);
      expect((await convergence(["context", "use", "default"], own.env)).code).toBe(0);
      expect((await convergenceJson(["whoami"], own.env)).json.organisation.id).toBe(org.id);
      const unknown = await convergenceJson(["tenant", "ls", "--context", "nope"], own.env);
      expect(unknown.code).toBe(2);
      expect(unknown.json.error).toMatchObject({ code: "UNKNOWN_CONTEXT", message: expect.stringMatching(/known: default, other/) });
      expect((await convergence(["context", "use", "nope"], own.env)).code).toBe(2);

      // logout forgets the current context only; then nothing is logged in until a context is picked.
      expect((await convergence(["logout"], own.env)).code).toBe(0);
      const loggedOut = await convergence(["tenant", "ls"], own.env);
      expect(loggedOut.code).toBe(3);
      expect(loggedOut.stderr).toMatch(/not logged in/);
      expect((await convergenceJson(["whoami", "--context", "other"], own.env)).json.organisation.id).toBe(other.id);
      expect((await convergence(["logout", "--all"], own.env)).code).toBe(0);
      expect((await convergenceJson(["context", "ls"], own.env)).json).toEqual([]);
      // The old way, the token as a flag, still works for old scripts.
      expect((await convergence(["login", "--context", "legacy", "--url", stack.url, "--token", org.token], own.env)).code).toBe(0);
      expect((await convergenceJson(["whoami"], own.env)).json).toMatchObject({ context: "legacy", organisation: { id: org.id } });

      // A file written by the CLI before contexts existed is the context "default".
      writeFileSync(own.file, JSON.stringify({ url: stack.url, token: org.token }), { mode: 0o600 });
      expect((await convergenceJson(["whoami"], own.env)).json).toMatchObject({ context: "default", organisation: { id: org.id } });
    } finally {
      rmSync(own.dir, { recursive: true, force: true });
    }
  });

  it("org rotate-token stores the new token in the context and prints it once; the old one is refused", async () => {
    const own = ownHome();
    try {
      const rotating = await stack.newOrg("cli-rotating");
      expect((await convergence(["login", "--url", stack.url, "--token-stdin"], own.env, rotating.token)).code).toBe(0);
      const rotated = await convergenceJson(["org", "rotate-token"], own.env);
      expect(rotated.code, rotated.stderr).toBe(0);
      expect(rotated.json).toMatchObject({ success: true, token: expect.stringMatching(/^cvg_org_/), storedInContext: "default" });
      expect(rotated.json.token).not.toBe(rotating.token);
      expect((await convergenceJson(["whoami"], own.env)).json.organisation.id).toBe(rotating.id);
      const old = await convergenceJson(["tenant", "ls"], { ...own.env, CONVERGENCE_TOKEN: rotating.token });
      expect(old.code).toBe(3);
    } finally {
      rmSync(own.dir, { recursive: true, force: true });
    }
  });
});

describe("what only the API had", () => {
  it("webhooks secret and rotate-secret, org show with limits and usage, token create with scopes, tenants and a lifetime", async () => {
    const secret = await convergenceJson(["webhooks", "secret"]);
    expect(secret.json.secret).toMatch(/^whsec_/);
    expect((await convergence(["webhooks", "secret"])).stdout.trim()).toBe(secret.json.secret);
    const rotated = await convergenceJson(["webhooks", "rotate-secret"]);
    expect(rotated.json.secret).toMatch(/^whsec_/);
    expect(rotated.json.secret).not.toBe(secret.json.secret);
    expect((await convergenceJson(["webhooks", "secret"])).json.secret).toBe(rotated.json.secret);

    const spawned = await convergenceJson(["tenant", "spawn", "cli-scoped"]);
    expect(spawned.code, spawned.stderr).toBe(0);
    const envId = spawned.json.envId as number;
    created.push(envId);

    const shown = await convergenceJson(["org", "show"]);
    expect(shown.json).toMatchObject({ organisation: { id: org.id }, limits: { maxTenants: expect.any(Number) }, usage: { liveTenants: expect.any(Number) } });
    expect(shown.json.usage.liveTenants).toBeGreaterThanOrEqual(1);
    const table = await convergence(["org", "show"]);
    expect(table.stdout).toMatch(/^LIMIT\s+USED\s+MAX\s+SET BY$/m);
    expect(table.stdout).toMatch(new RegExp(`^maxTenants\\s+${shown.json.usage.liveTenants}\\s+${shown.json.limits.maxTenants}\\s+default$`, "m"));

    const issued = await convergenceJson(["token", "create", "--scope", "tenants:read", "--tenant", `tenant_${envId}`, "--ttl", "120"]);
    expect(issued.code, issued.stderr).toBe(0);
    expect(issued.json).toMatchObject({ scopes: ["tenants:read"], tenants: [envId], token: expect.stringMatching(/^ey/) });
    expect(issued.json.expiresIn).toBeGreaterThan(60); // 120 s asked for, less the time the answer took
    expect(issued.json.expiresIn).toBeLessThanOrEqual(120);
    // The token reads that tenant, and nothing more.
    const asToken = { CONVERGENCE_TOKEN: issued.json.token };
    expect((await convergenceJson(["tenant", "status", String(envId)], asToken)).json).toMatchObject({ envId });
    const spawnRefused = await convergenceJson(["tenant", "spawn", "not-allowed"], asToken);
    expect(spawnRefused.code).toBe(3);
    expect(spawnRefused.json.error.code).toBe("INSUFFICIENT_SCOPE");
    expect((await convergence(["token", "create", "--scope", "everything"])).code).toBe(2);
    expect((await convergence(["templates"])).stdout).toMatch(/^node\/express\s/m);
  });

  it("tenant destroy asks on a terminal (the tenant's name), refuses without --yes elsewhere (exit 2); colours only on a terminal and never with NO_COLOR", async () => {
    const spawned = await convergenceJson(["tenant", "spawn", "cli-confirm"]);
    expect(spawned.code, spawned.stderr).toBe(0);
    const envId = spawned.json.envId as number;
    created.push(envId);
    const statusNow = async () => (await convergenceJson(["tenant", "status", String(envId)])).json.status as string;

    const refused = await convergence(["tenant", "destroy", String(envId)]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    expect((await convergenceJson(["tenant", "destroy", String(envId)])).json.error.code).toBe("USAGE");
    expect(await statusNow()).not.toMatch(/destroy/);

    const wrong = await onTerminal(["tenant", "destroy", String(envId)], { prompt: /Type its name to confirm: /, answer: "something-else\r" });
    expect(wrong.code, wrong.output).toBe(1);
    expect(await statusNow()).not.toMatch(/destroy/);

    // Colours: on a terminal yes, with NO_COLOR or through a pipe never.
    const esc = "\x1b[";
    expect((await onTerminal(["tenant", "status", String(envId)])).output).toContain(`${esc}1mtenant_${envId}`);
    expect((await onTerminal(["tenant", "status", String(envId)], { env: { NO_COLOR: "1" } })).output).not.toContain(esc);
    expect((await convergence(["tenant", "ls"])).stdout).not.toContain(esc);

    const confirmed = await onTerminal(["tenant", "destroy", String(envId)], { prompt: /Type its name to confirm: /, answer: "cli-confirm\r" });
    expect(confirmed.code, confirmed.output).toBe(0);
    expect(await statusNow()).toMatch(/^destroy/);
  });
});

describe("convergence completion", () => {
  it("prints a bash script that completes commands, subcommands and options (skipping option values); zsh and fish scripts; another shell is a usage error", async () => {
    const script = await convergence(["completion", "bash"]);
    expect(script.code).toBe(0);
    const complete = (words: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile("bash", ["-c", `${script.stdout}\nCOMP_WORDS=(${words.map(shellQuote).join(" ")}); COMP_CWORD=${words.length - 1}; _convergence; echo "\${COMPREPLY[*]}"`], (err, stdout) =>
          err ? reject(err) : resolve(stdout.trim()),
        ),
      );
    expect(await complete(["convergence", "ten"])).toBe("tenant");
    expect(await complete(["convergence", "--context", "prod", "tenant", "d"])).toBe("destroy");
    expect((await complete(["convergence", "tenant", "destroy", "--"])).split(" ")).toEqual(expect.arrayContaining(["--yes", "--wait", "--json", "--context"]));
    expect(await complete(["convergence", "org", "rot"])).toBe("rotate-token");

    const zsh = await convergence(["completion", "zsh"]);
    expect(zsh.stdout).toMatch(/^#compdef convergence/);
    expect(zsh.stdout).toContain("'org') items=(");
    const fish = await convergence(["completion", "fish"]);
    expect(fish.stdout).toContain("complete -c convergence -n '__fish_seen_subcommand_from webhooks' -a 'rotate-secret'");
    expect((await convergence(["completion", "tcsh"])).code).toBe(2);
    expect((await convergenceJson(["completion", "bash"])).json).toEqual({ shell: "bash", script: script.stdout });
  });
});
