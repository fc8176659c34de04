/** The pure decisions behind deploys (shared/deploys/): which archive paths and links stay in the tree, the start command, the Dockerfile, app variables. */
import { gzipSync } from "node:zlib";
import tarStream from "tar-stream";
import { describe, expect, test } from "vitest";
import { linkStaysInside, readArchive, safeRelativePath, startCommand } from "../../shared/deploys/archive.js";
import { appDockerfile } from "../../shared/deploys/build.js";
import { checkAppEnv, maskValue } from "../../shared/deploys/deployments.js";

describe("archive paths", () => {
  test.each([
    ["package.json", "package.json"],
    ["./src/index.js", "src/index.js"],
    ["src/", "src"],
    ["./", ""],
    ["a/./b", "a/b"],
  ])("%s stays inside as %s", (raw, normal) => expect(safeRelativePath(raw)).toBe(normal));

  test.each(["../x", "a/../../x", "a/..", "/etc/passwd", "C:/x", "a\\..\\x", "a\0b"])("%s is refused", (raw) => expect(safeRelativePath(raw)).toBeNull());

  test.each([
    ["lib/link", "../package.json", true],
    ["link", "lib/x.js", true],
    ["link", "../x", false],
    ["a/b/link", "../../../x", false],
    ["link", "/etc/passwd", false],
  ])("a symlink at %s to %s stays inside: %s", (at, target, inside) => expect(linkStaysInside(at, target)).toBe(inside));
});

describe("the start command", () => {
  const files = new Set(["server.js", "index.js"]);
  test.each([
    [{ scripts: { start: "node server.js" } }, ["node", "server.js"]],
    [{ scripts: { start: "node --enable-source-maps dist/main.js --port=1" } }, ["node", "--enable-source-maps", "dist/main.js", "--port=1"]],
    [{}, ["node", "server.js"]],
    [{ scripts: { start: "npm run build && node x.js" } }, null],
    [{ scripts: { start: "node x.js | tee log" } }, null],
    [{ scripts: { start: "node $FILE" } }, null],
    [{ scripts: { start: "bun x.js" } }, null],
    [{ scripts: { start: 3 } }, null],
  ])("%j starts with %j", (pkg, command) => expect(startCommand(pkg as { scripts?: Record<string, unknown> }, files)).toEqual(command));

  test("without a start script and without server.js there is nothing to run", () => expect(startCommand({}, new Set(["index.js"]))).toBeNull());
});

describe("the app's Dockerfile", () => {
  test("dependencies are installed in the builder stage with scripts off; the app runs on the bare base image as a non-root user", () => {
    const file = appDockerfile({ baseImage: "base:1", builderImage: "builder:1", checked: { command: ["node", "server.js"], hasLockfile: true }, containerPort: 3000 });
    expect(file).toContain("FROM builder:1 AS build");
    expect(file).toMatch(/RUN \["node","\/opt\/npm\/bin\/npm-cli.js","ci","--omit=dev","--ignore-scripts"/);
    expect(file).toContain("FROM base:1\nWORKDIR /app\nCOPY --from=build /app /app");
    expect(file).toContain("USER 1000:1000");
    expect(file).toContain('CMD ["node","server.js"]');
  });

  test("an app without dependencies needs no builder and no npm", () => {
    const file = appDockerfile({ baseImage: "base:1", builderImage: null, checked: { command: ["node", "server.js"], hasLockfile: false }, containerPort: 3000 });
    expect(file).not.toContain("npm");
    expect(file.match(/^FROM /gm)).toHaveLength(1);
  });
});

describe("reading an archive", () => {
  async function tgz(entries: Array<{ name: string; content?: string; type?: string; linkname?: string }>) {
    const pack = tarStream.pack();
    const chunks: Buffer[] = [];
    pack.on("data", (c: Buffer) => chunks.push(c));
    const end = new Promise((r) => pack.on("end", r));
    for (const e of entries) pack.entry({ name: e.name, type: (e.type ?? "file") as "file", linkname: e.linkname }, e.content ?? "");
    pack.finalize();
    await end;
    return gzipSync(Buffer.concat(chunks));
  }
  const limits = { maxFiles: 10, maxBytes: 1024 * 1024 };

  test("an app with dependencies needs an install; its entries are handed on in order, normalised", async () => {
    const seen: string[] = [];
    const checked = await readArchive(
      await tgz([
        { name: "./package.json", content: JSON.stringify({ dependencies: { x: "1" }, scripts: { start: "node a.js" } }) },
        { name: "./a.js", content: "" },
      ]),
      limits,
      (e) => seen.push(e.path),
    );
    expect(checked).toMatchObject({ entries: 2, command: ["node", "a.js"], needsInstall: true, hasLockfile: false });
    expect(seen).toEqual(["package.json", "a.js"]);
  });

  test.each([
    [
      "a hard link out of the tree",
      [
        { name: "package.json", content: "{}" },
        { name: "l", type: "link", linkname: "../../x" },
      ],
      "link-outside",
    ],
    ["package.json that is not JSON", [{ name: "package.json", content: "{nope" }], "bad-package-json"],
    ["package.json in a subdirectory only", [{ name: "app/package.json", content: "{}" }], "unknown-kind"], // the root holds no app of any kind,
  ])("%s is refused", async (_what, entries, reason) => {
    await expect(readArchive(await tgz(entries), limits)).rejects.toMatchObject({ reason });
  });

  test("a gzip bomb stops at 20× the size limit", async () => {
    await expect(readArchive(gzipSync(Buffer.alloc(3 * 1024 * 1024)), { maxFiles: 10, maxBytes: 100 * 1024 })).rejects.toMatchObject({ reason: "too-large" });
  });
});

describe("app variables", () => {
  test("the platform's names, bad names and NUL bytes are refused, each named", () => {
    expect(() => checkAppEnv({ GREETING: "hi", _X1: "" })).not.toThrow();
    const bads: Array<Record<string, string>> = [{ CONVERGENCE_API_KEY: "x" }, { TENANT_ID: "x" }, { PORT: "1" }, { lower: "x" }, { "1X": "x" }, { X: "a\0b" }];
    for (const bad of bads) {
      expect(() => checkAppEnv(bad), JSON.stringify(bad)).toThrow(/invalid environment variables/);
    }
  });

  test("a masked value never shows a short value, and only the last 4 characters of a long one", () => {
    expect(maskValue("secret")).toBe("(6 characters)");
    expect(maskValue("a-long-secret-value-1234")).toBe("…1234 (24 characters)");
  });
});
