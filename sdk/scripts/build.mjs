// `npm run build -w @convergence/sdk`: dist/esm (import) and dist/cjs (require), each with its
// declarations, from a clean dist so no file of an older build is ever packed.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const root = new URL("..", import.meta.url);
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
rmSync(new URL("dist", root), { recursive: true, force: true });
for (const project of ["tsconfig.build.json", "tsconfig.cjs.json"]) {
  execFileSync(process.execPath, [tsc, "-p", project], { cwd: root, stdio: "inherit" });
}
// Node decides a .js file's module system by the nearest package.json: this one says CommonJS.
mkdirSync(new URL("dist/cjs", root), { recursive: true });
writeFileSync(new URL("dist/cjs/package.json", root), `${JSON.stringify({ type: "commonjs" })}\n`);
