// `npm run build -w @convergence/sdk [-- <out>]`: <out>/esm (import) and <out>/cjs (require), each
// with its declarations, into a clean <out> (default: dist), so no file of an older build is ever
// packed. check-package.mjs builds into a staging copy instead, leaving dist to running commands.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = resolve(root, process.argv[2] ?? "dist");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
rmSync(out, { recursive: true, force: true });
for (const [project, dir] of [
  ["tsconfig.build.json", "esm"],
  ["tsconfig.cjs.json", "cjs"],
]) {
  execFileSync(process.execPath, [tsc, "-p", project, "--outDir", join(out, dir)], { cwd: root, stdio: "inherit" });
}
// Node decides a .js file's module system by the nearest package.json: this one says CommonJS.
mkdirSync(join(out, "cjs"), { recursive: true });
writeFileSync(join(out, "cjs", "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
