// `npm run check-package -w @convergence/sdk [-- <directory>]`: builds the SDK, packs it as npm
// would publish it, and checks the package with publint (strict: a warning fails) and
// @arethetypeswrong/cli (types resolve for import and require under every module resolution).
// Prints the tarball's path last; it is written to <directory> (default: a new temporary one).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
// The workspace's node_modules/.bin (hoisted to the repository's root), or the package's own.
const bin = (name) => [join(root, "node_modules/.bin", name), join(root, "../node_modules/.bin", name)].find((path) => existsSync(path)) ?? name;
const run = (args, options = {}) => execFileSync(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", ...options });
const npm = process.env.npm_execpath; // set when run through npm; else the npm next to this node

const destination = process.argv[2] ?? mkdtempSync(join(tmpdir(), "convergence-sdk-pack-"));
mkdirSync(destination, { recursive: true });
run(["scripts/build.mjs"], { stdio: "inherit" });
const packArgs = ["pack", "--json", "--pack-destination", destination];
const packed = npm ? run([npm, ...packArgs]) : execFileSync("npm", packArgs, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
const [{ filename }] = JSON.parse(packed);
const tarball = join(destination, filename);
execFileSync(bin("publint"), ["run", "--strict", "--pack", "npm", root], { cwd: root, stdio: "inherit" });
execFileSync(bin("attw"), [tarball, "--format", "table-flipped"], { cwd: root, stdio: "inherit", env: { ...process.env, FORCE_COLOR: "0" } });
console.log(tarball);
