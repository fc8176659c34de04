/**
 * The `convergence` command runs compiled JavaScript (cli/dist and sdk/dist, from `npm run build`),
 * not its TypeScript through tsx on every call; tsx is only the fallback for a clone not built yet
 * or source edited since the build. Which one ran is read from the modules the process resolves
 * (a resolve hook in the child), never from timings.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../shared/config.js";

const bin = join(projectRoot, "node_modules/.bin/convergence");
const builtMark = join(projectRoot, "cli/dist/.built");
let dir: string;
let hook: string;

/** Runs `convergence --help`; `typescript` lists what it resolved from tsx or a .ts file. */
function help(): Promise<{ code: number | null; stdout: string; typescript: string[] }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", hook, bin, "--help"], { cwd: dir, env: { ...process.env, NODE_OPTIONS: "" } }, (err, stdout, stderr) => {
      const typescript = stderr.split("\n").flatMap((line) => (line.startsWith("typescript: ") ? [line.slice(12)] : []));
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, typescript });
    });
  });
}

beforeAll(() => {
  // What `npm run build` (run by the set-up) does for the CLI and the SDK.
  execFileSync("npm", ["run", "-s", "build:cli"], { cwd: projectRoot, stdio: "inherit" });
  dir = mkdtempSync(join(tmpdir(), "convergence-cli-compiled-"));
  hook = pathToFileURL(join(dir, "hook.mjs")).href;
  writeFileSync(
    join(dir, "hook.mjs"),
    `import { registerHooks } from "node:module";
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    if (/\\/node_modules\\/tsx\\/|\\.[cm]?ts$/.test(resolved.url)) process.stderr.write("typescript: " + resolved.url + "\\n");
    return resolved;
  },
});
`,
  );
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the convergence command", () => {
  it("once built, runs compiled JavaScript: no TypeScript and no tsx is loaded to print its help", async () => {
    const run = await help();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: convergence");
    expect(run.typescript).toEqual([]);
  });

  it("with source edited since the build, runs that source through tsx, so an edit is never ignored", async () => {
    const { atime, mtime } = statSync(builtMark);
    utimesSync(builtMark, new Date(0), new Date(0)); // the build predates every source file now
    try {
      const run = await help();
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("Usage: convergence");
      expect(run.typescript.some((url) => url.endsWith("/cli/src/main.ts"))).toBe(true);
    } finally {
      utimesSync(builtMark, atime, mtime);
    }
  });
});
