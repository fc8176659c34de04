/**
 * The OpenAPI document is lint-clean: Redocly CLI's `recommended` ruleset (redocly.yaml) and
 * Spectral's `spectral:oas` (.spectral.yaml) report nothing, not even a warning, and the rules
 * no linter checks hold for every operation (docs/api.md "The OpenAPI document" lists them): a
 * description, tags, a 4xx answer, `X-Request-Id` on every response, every event stream's events
 * as a named schema. The document is built from the routes in-process (scripts/openapi-dump.ts),
 * as /openapi.json serves it; no services.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../shared/config.js";
import { dumpOpenApi } from "../scripts/openapi-dump.js";

const run = promisify(execFile);

type Operation = {
  operationId?: string;
  parameters?: Array<{ name: string; in: string; description?: string; schema?: { description?: string } }>;
  summary?: string;
  description?: string;
  tags?: string[];
  responses: Record<string, { $ref?: string; headers?: Record<string, unknown>; content?: Record<string, { schema?: { $ref?: string } }> }>;
};
type Document = {
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
  webhooks?: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; headers?: Record<string, unknown> };
};

const methods = new Set(["get", "put", "post", "delete", "patch", "head", "options", "trace"]);
let dir: string;
let file: string;
let doc: Document;
let operations: Array<{ where: string; op: Operation }>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cvg-openapi-"));
  file = join(dir, "openapi.json");
  doc = dumpOpenApi() as Document;
  writeFileSync(file, JSON.stringify(doc, null, 2));
  operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => methods.has(method))
      .map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op })),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a linter's CLI (from node_modules, on this Node.js); resolves with its output whatever its exit code. */
async function lint(bin: string, args: string[]): Promise<{ code: number; out: string }> {
  const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" };
  try {
    const { stdout, stderr } = await run(process.execPath, [join(projectRoot, "node_modules", bin), ...args], { cwd: projectRoot, env, maxBuffer: 16 << 20 });
    return { code: 0, out: `${stdout}\n${stderr}` };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, out: `${e.stdout ?? ""}\n${e.stderr ?? ""}` };
  }
}

describe("the OpenAPI document, linted", () => {
  it("Redocly's recommended ruleset finds no error and no warning", async () => {
    const { code, out } = await lint("@redocly/cli/bin/cli.js", ["lint", file, "--config", join(projectRoot, "redocly.yaml"), "--format", "stylish", "--max-problems", "200"]);
    const problems = out.split("\n").filter((l) => /\b(error|warning)\b/.test(l) && /^\s*\d+:\d+/.test(l));
    expect(problems, out).toEqual([]);
    expect(code, out).toBe(0);
    expect(out).toContain("Your API description is valid");
  }, 60_000);

  it("Spectral's spectral:oas finds nothing, not even a hint", async () => {
    const { code, out } = await lint("@stoplight/spectral-cli/dist/index.js", [
      "lint",
      file,
      "--ruleset",
      join(projectRoot, ".spectral.yaml"),
      "--fail-severity",
      "hint",
      "--format",
      "json",
      "--quiet",
    ]);
    const results = JSON.parse(out.slice(out.indexOf("["), out.lastIndexOf("]") + 1) || "[]") as Array<{ code: string; message: string; path: string[] }>;
    expect(
      results.map((r) => `${r.code} at ${r.path.join(".")}: ${r.message}`),
      out,
    ).toEqual([]);
    expect(code, out).toBe(0);
  }, 60_000);
});

describe("what the linters do not check", () => {
  it("names where the API is (servers)", () => {
    expect(doc.servers?.length).toBeGreaterThan(0);
  });

  it("has a summary, a description, tags and an operationId on every operation", () => {
    const lacking = operations.filter(({ op }) => !op.summary?.trim() || !op.description?.trim() || !op.tags?.length || !op.operationId).map((o) => o.where);
    expect(lacking).toEqual([]);
  });

  it("describes every parameter of every operation", () => {
    const bare = operations.flatMap(({ where, op }) => (op.parameters ?? []).filter((p) => !(p.description ?? p.schema?.description)?.trim()).map((p) => `${where}: ${p.in} ${p.name}`));
    expect(bare).toEqual([]);
  });

  it("documents X-Request-Id on every response of every operation", () => {
    expect(doc.components.headers?.RequestId).toBeDefined();
    const lacking = operations.flatMap(({ where, op }) =>
      Object.entries(op.responses)
        .filter(([, r]) => !r.headers?.["X-Request-Id"])
        .map(([status]) => `${where} ${status}`),
    );
    expect(lacking).toEqual([]);
  });

  it("documents every event stream's events as a named …StreamEvent schema, not as a string", () => {
    const streams = operations.flatMap(({ where, op }) =>
      Object.entries(op.responses).flatMap(([status, r]) => (r.content?.["text/event-stream"] ? [{ where: `${where} ${status}`, schema: r.content["text/event-stream"].schema }] : [])),
    );
    expect(streams.map((s) => s.where).sort()).toEqual(expect.arrayContaining(["GET /api/v1/events 200", "GET /api/v1/tenant/{id}/events 200", "GET /api/v1/tenant/{id}/logs 200"]));
    const undocumented = streams.filter((s) => !/^#\/components\/schemas\/\w+StreamEvent$/.test(s.schema?.$ref ?? "")).map((s) => s.where);
    expect(undocumented).toEqual([]);
    for (const name of ["TenantEventsStreamEvent", "TenantLogStreamEvent", "OrganisationEventsStreamEvent", "TenantStatusEvent", "TenantLogLine"])
      expect(doc.components.schemas).toHaveProperty(name);
  });
});
