/** Which base image each template is built on: template.json `base` → its config variable; every template here names one. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseConfig, projectRoot } from "../../shared/config.js";
import { baseImageOf, TemplateRegistry } from "../../shared/templates.js";

const config = {
  TENANT_BASE_IMAGE: "node-img",
  PYTHON_BASE_IMAGE: "python-img",
  GO_BASE_IMAGE: "go-img",
  BUN_BASE_IMAGE: "bun-img",
  STATIC_BASE_IMAGE: "static-img",
};

describe("baseImageOf", () => {
  test.each([
    ["node", "node-img"],
    ["python", "python-img"],
    ["go", "go-img"],
    ["bun", "bun-img"],
    ["static", "static-img"],
  ] as const)("a %s template is built on its own variable's image", (base, image) => {
    expect(baseImageOf(config, { base })).toBe(image);
  });

  test("the shipped templates get the bases their Dockerfiles expect", () => {
    const registry = new TemplateRegistry(join(projectRoot, "tenant-templates"));
    const bases = Object.fromEntries(registry.list().map((t) => [t.id, baseImageOf(config, t)]));
    expect(bases).toEqual({
      "bun/hono": "bun-img",
      "go/stdlib": "go-img",
      "node/express": "node-img",
      "node/hono": "node-img",
      "python/fastapi": "python-img",
      "static/html": "static-img",
    });
  });

  test("a template.json without `base` is a Node one; an unknown base is refused when the registry loads", () => {
    const dir = mkdtempSync(join(tmpdir(), "cvg-bases-"));
    try {
      mkdirSync(join(dir, "a"));
      writeFileSync(join(dir, "a", "template.json"), JSON.stringify({ language: "node", framework: "a" }));
      expect(new TemplateRegistry(dir).get("node", "a")?.base).toBe("node");
      mkdirSync(join(dir, "b"));
      writeFileSync(join(dir, "b", "template.json"), JSON.stringify({ language: "ruby", framework: "rails", base: "ruby" }));
      expect(() => new TemplateRegistry(dir)).toThrow(/base/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the production defaults are the registry images", () => {
    const defaults = parseConfig({ ENCRYPTION_KEY: Buffer.alloc(32).toString("base64"), DATABASE_URL: "postgres://x@127.0.0.1/x", REDIS_URL: "redis://127.0.0.1" });
    expect(baseImageOf(defaults, { base: "python" })).toBe("python:3.11-slim");
    expect(baseImageOf(defaults, { base: "bun" })).toBe("oven/bun:1-slim");
    expect(baseImageOf(defaults, { base: "go" })).toBe("gcr.io/distroless/static-debian12");
  });
});
