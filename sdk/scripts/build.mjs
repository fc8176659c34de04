// `npm run build -w @convergence/sdk [-- <out>]`: <out>/esm (import) and <out>/cjs (require), each
// with its declarations (default <out>: dist). Built into a fresh directory next to it, then
// swapped in by two renames: no file of an older build is ever packed, and a command running from
// dist meanwhile (the CLI, in another test) never finds it half-written or gone.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = resolve(root, process.argv[2] ?? "dist");
const fresh = `${out}.new-${process.pid}`;
const old = `${out}.old-${process.pid}`;
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
rmSync(fresh, { recursive: true, force: true });
for (const [project, dir] of [
  ["tsconfig.build.json", "esm"],
  ["tsconfig.cjs.json", "cjs"],
]) {
  execFileSync(process.execPath, [tsc, "-p", project, "--outDir", join(fresh, dir)], { cwd: root, stdio: "inherit" });
}
// Node decides a .js file's module system by the nearest package.json: this one says CommonJS.
mkdirSync(join(fresh, "cjs"), { recursive: true });
writeFileSync(join(fresh, "cjs", "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
if (existsSync(out)) renameSync(out, old);
renameSync(fresh, out);
rmSync(old, { recursive: true, force: true });
