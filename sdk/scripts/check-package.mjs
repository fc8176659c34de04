// `npm run check-package -w @convergence/sdk [-- <directory>]`: builds the SDK into a staging copy
// of the package (never touching sdk/dist, which the CLI may be running from), packs it as npm
// would publish it, and checks it with publint (strict: a warning fails) and
// @arethetypeswrong/cli (types resolve for import and require under every module resolution).
// Prints the tarball's path last; it is written to <directory> (default: a new temporary one).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
// The workspace's node_modules/.bin (hoisted to the repository's root), or the package's own.
const bin = (name) => [join(root, "node_modules/.bin", name), join(root, "../node_modules/.bin", name)].find((path) => existsSync(path)) ?? name;
const quiet = { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" };

const destination = process.argv[2] ?? mkdtempSync(join(tmpdir(), "convergence-sdk-pack-"));
mkdirSync(destination, { recursive: true });
const staging = mkdtempSync(join(tmpdir(), "convergence-sdk-staging-"));
try {
  // What `files` in package.json publishes (npm adds package.json, README and LICENSE itself).
  for (const entry of ["package.json", "README.md", "LICENSE", "CHANGELOG.md", "src"]) cpSync(join(root, entry), join(staging, entry), { recursive: true });
  execFileSync(process.execPath, [join(root, "scripts/build.mjs"), join(staging, "dist")], { cwd: root, stdio: "inherit" });
  const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", destination], { cwd: staging, ...quiet }));
  const tarball = join(destination, filename);
  execFileSync(bin("publint"), ["run", "--strict", "--pack", "npm", staging], { cwd: staging, stdio: "inherit" });
  execFileSync(bin("attw"), [tarball, "--format", "table-flipped"], { cwd: staging, stdio: "inherit", env: { ...process.env, FORCE_COLOR: "0" } });
  console.log(tarball);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
