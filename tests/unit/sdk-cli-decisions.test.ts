/**
 * The SDK's and the CLI's pure decisions: which error class an HTTP status is, which tenant an
 * id names, which context a command uses (and how an old config file reads), and when colours are
 * on. And a drift guard: the SDK calls every operation of the API's document.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  AuthError,
  ConflictError,
  Convergence,
  ConvergenceError,
  envIdOf,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  ServerError,
  ServiceUnavailableError,
  ValidationError,
  VERSION,
} from "@convergence/sdk";
import { errorClassFor, errorFromResponse } from "../../sdk/src/errors.js";
import { readConfig, resolveCredentials } from "../../cli/src/config.js";
import { colours } from "../../cli/src/tty.js";
import { projectRoot } from "../../shared/config.js";

describe("SDK error classes", () => {
  it.each([
    [400, ValidationError],
    [401, AuthError],
    [403, AuthError],
    [404, NotFoundError],
    [409, ConflictError],
    [413, PayloadTooLargeError],
    [415, ValidationError],
    [429, RateLimitedError],
    [500, ServerError],
    [502, ServerError],
    [503, ServiceUnavailableError],
    [504, ServerError],
  ])("HTTP %i is a %o, and a ConvergenceError", (status, Class) => {
    expect(errorClassFor(status)).toBe(Class);
    const error = errorFromResponse(new Response(null, { status, headers: { "retry-after": "7" } }), { error: { code: "X", message: "m" } });
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(ConvergenceError);
    expect(error).toMatchObject({ status, retryAfter: 7, message: "m", name: Class.name });
  });

  it("the version in User-Agent is package.json's", () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(join(projectRoot, "sdk/package.json"), "utf8")).version);
  });
});

describe("tenant ids", () => {
  it.each([
    [7, 7],
    ["7", 7],
    ["tenant_7", 7],
    [" tenant_12 ", 12],
  ])("%o is tenant %i", (id, envId) => expect(envIdOf(id)).toBe(envId));
  it.each([0, -1, 1.5, "tenant_", "tenant_x", "x7", ""])("%o is refused", (id) => expect(() => envIdOf(id)).toThrow(TypeError));
});

describe("the SDK's deploy, sleep and env calls take tenant_N as well as envIds", () => {
  it("each one asks for /tenant/7/…", async () => {
    const paths: string[] = [];
    const deployment = { revision: 2, status: "live" };
    const answer = async (req: Request) => {
      paths.push(`${req.method} ${new URL(req.url).pathname}`);
      return Response.json({ success: true, deployment, deployments: [deployment], nextCursor: null, vars: {}, log: "", tenant: {} });
    };
    const cvg = new Convergence({ baseUrl: "http://127.0.0.1:1", token: "cvg_org_x", fetch: answer });
    await cvg.tenants.deploy("tenant_7", new Uint8Array([1]));
    await cvg.tenants.rollback("tenant_7", 2);
    await cvg.tenants.setEnv("tenant_7", { A: "b" });
    await cvg.tenants.env("tenant_7");
    await cvg.tenants.deployment("tenant_7", 2);
    await cvg.tenants.deployments("tenant_7");
    await cvg.tenants.deploymentLogs("tenant_7", 2);
    await cvg.tenants.sleep("tenant_7", "paused");
    await cvg.tenants.setIdlePolicy(7, { pauseAfterSeconds: null, stopAfterSeconds: null });
    expect(paths).toEqual([
      "POST /api/v1/tenant/7/deployments",
      "POST /api/v1/tenant/7/deployments/2/rollback",
      "PUT /api/v1/tenant/7/env",
      "GET /api/v1/tenant/7/env",
      "GET /api/v1/tenant/7/deployments/2",
      "GET /api/v1/tenant/7/deployments",
      "GET /api/v1/tenant/7/deployments/2/logs",
      "POST /api/v1/tenant/7/sleep",
      "PATCH /api/v1/tenant/7",
    ]);
    await expect(cvg.tenants.deploy("tenant_x", new Uint8Array([1]))).rejects.toThrow(TypeError);
  });
});

describe("CLI contexts", () => {
  function withConfig(content: unknown, fn: (env: NodeJS.ProcessEnv) => Promise<void>) {
    const dir = mkdtempSync(join(tmpdir(), "cvg-unit-ctx-"));
    mkdirSync(join(dir, "convergence"));
    writeFileSync(join(dir, "convergence", "config.json"), JSON.stringify(content));
    return fn({ XDG_CONFIG_HOME: dir }).finally(() => rmSync(dir, { recursive: true, force: true }));
  }
  const two = { current: "a", contexts: { a: { url: "http://a", token: "ta" }, b: { url: "http://b", token: "tb" } } };

  it("an old {url, token} file is the context default", () =>
    withConfig({ url: "http://old", token: "t" }, async (env) => {
      expect(await readConfig(env)).toEqual({ current: "default", contexts: { default: { url: "http://old", token: "t" } } });
    }));

  it("--context, then CONVERGENCE_CONTEXT, then the current one; CONVERGENCE_URL/TOKEN override the context", () =>
    withConfig(two, async (env) => {
      expect(await resolveCredentials(undefined, env)).toMatchObject({ url: "http://a", token: "ta", context: "a", tokenFrom: "context" });
      expect(await resolveCredentials("b", env)).toMatchObject({ url: "http://b", context: "b" });
      expect(await resolveCredentials(undefined, { ...env, CONVERGENCE_CONTEXT: "b" })).toMatchObject({ context: "b" });
      expect(await resolveCredentials("b", { ...env, CONVERGENCE_TOKEN: "env" })).toMatchObject({ url: "http://b", token: "env", tokenFrom: "environment" });
      await expect(resolveCredentials("c", env)).rejects.toThrow(/no context "c" \(known: a, b\)/);
    }));
});

describe("CLI colours", () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;
  it.each([
    ["a terminal", tty, false, {}, true],
    ["a pipe", pipe, false, {}, false],
    ["a terminal with NO_COLOR", tty, false, { NO_COLOR: "1" }, false],
    ["a terminal with NO_COLOR empty (no-color.org: unset)", tty, false, { NO_COLOR: "" }, true],
    ["a terminal with TERM=dumb", tty, false, { TERM: "dumb" }, false],
    ["a terminal with --json", tty, true, {}, false],
  ])("on %s: %s", (_what, stream, json, env, on) => {
    const c = colours(stream, json, env);
    expect(c.enabled).toBe(on);
    expect(c.green("ok") === "ok").toBe(!on);
  });
});

describe("the SDK covers the API", () => {
  it("every operation in the API's document (but the dashboard's sessions, the JWKS document and the Stripe webhook) is called by an SDK module", () => {
    const generated = readFileSync(join(projectRoot, "sdk/src/generated/openapi.ts"), "utf8");
    const pathsBlock = generated.slice(generated.indexOf("export interface paths {"), generated.indexOf("export type webhooks"));
    const operations = [...pathsBlock.matchAll(/^ {4}"(\/[^"]+)": \{([\s\S]*?)^ {4}\};/gm)].flatMap(([, path, body]) =>
      [...body!.matchAll(/^ {8}(get|put|post|delete|patch): operations\[/gm)].map(([, method]) => `${method!.toUpperCase()} ${path}`),
    );
    expect(operations.length).toBeGreaterThan(15);
    // Not for SDK callers: the dashboard's sessions, the JWKS document, and Stripe's own webhook calls to the platform.
    const notForTheSdk = (op: string) => op.includes("/api/v1/auth/session") || op.endsWith("/.well-known/jwks.json") || op.endsWith("/api/v1/billing/stripe-webhook");
    const sdkDir = join(projectRoot, "sdk/src");
    const source = readdirSync(sdkDir)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => readFileSync(join(sdkDir, f), "utf8"))
      .join("\n");
    const missing = operations.filter((op) => !notForTheSdk(op)).filter((op) => !source.includes(`.${op.split(" ")[0]}("${op.split(" ")[1]}"`));
    expect(missing, "operations the SDK does not call: add them to a module in sdk/src").toEqual([]);
  });
});
