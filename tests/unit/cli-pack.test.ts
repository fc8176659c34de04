/** `convergence deploy` packs a directory as the API's archive checks accept it, leaving out what .gitignore and .convergenceignore name. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { ignoreRule, isIgnored, packDirectory } from "../../cli/src/pack.js";
import { readArchive } from "../../shared/deploys/archive.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("ignore rules", () => {
  const rules = (...lines: string[]) => lines.map(ignoreRule).filter((r) => r !== null);
  test.each([
    [["node_modules/"], "node_modules", true, true],
    [["node_modules/"], "node_modules", false, false],
    [["*.log"], "logs/a.log", false, true],
    [["/dist"], "dist", true, true],
    [["/dist"], "src/dist", true, false],
    [["docs/**/*.md"], "docs/a/b/c.md", false, true],
    [["*.env", "!example.env"], "example.env", false, false],
    [["# a comment", ""], "x", false, false],
  ])("%j on %s (dir: %s) ignores it: %s", (lines, path, isDir, ignored) => expect(isIgnored(rules(...lines), path, isDir)).toBe(ignored));
});

describe("packing a directory", () => {
  test("the archive passes the API's checks, with ignored files, .git and links kept as links", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cvg-pack-"));
    dirs.push(dir);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ scripts: { start: "node server.js" } }));
    writeFileSync(join(dir, "server.js"), "");
    writeFileSync(join(dir, ".gitignore"), "node_modules/\n*.log\n");
    writeFileSync(join(dir, ".convergenceignore"), "secrets.txt\n");
    writeFileSync(join(dir, "secrets.txt"), "x");
    writeFileSync(join(dir, "debug.log"), "x");
    mkdirSync(join(dir, "node_modules", "dep"), { recursive: true });
    writeFileSync(join(dir, "node_modules", "dep", "index.js"), "");
    mkdirSync(join(dir, ".git"));
    writeFileSync(join(dir, ".git", "HEAD"), "");
    mkdirSync(join(dir, "lib"));
    writeFileSync(join(dir, "lib", "a.js"), "a");
    symlinkSync("lib/a.js", join(dir, "a-link.js"));
    const { archive } = packDirectory(dir);
    const seen: string[] = [];
    const checked = await readArchive(archive, { maxFiles: 100, maxBytes: 1024 * 1024 }, (e) => seen.push(`${e.type}:${e.path}`));
    expect(checked.command).toEqual(["node", "server.js"]);
    expect(seen.sort()).toEqual(
      [".convergenceignore", ".gitignore", "package.json", "server.js", "lib/a.js"]
        .map((p) => `file:${p}`)
        .concat(["directory:lib", "symlink:a-link.js"])
        .sort(),
    );
  });
});
