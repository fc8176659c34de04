#!/usr/bin/env node
// The `convergence` command: runs the compiled CLI (cli/dist, made by `npm run build` with the
// SDK's sdk/dist; cli/dist/.built marks the end of a build), so a call costs Node's start and no
// TypeScript compilation. When a clone has not been built yet, or the CLI's or the SDK's source
// changed since the last build, it runs the TypeScript source through tsx instead (the SDK from
// source too: its package.json exports it under the "convergence-source" condition, added here),
// so an edit is never silently ignored.
import { existsSync, readdirSync, statSync } from "node:fs";
import module from "node:module";

// Node 22.1+: compiled modules are cached on disk (in the OS's temporary directory) across calls.
module.enableCompileCache?.();

const at = (path) => new URL(path, import.meta.url);
const built = at("../dist/.built");
const sources = [at("../src/"), at("../../sdk/src/")];
const newestSource = () => Math.max(...sources.filter(existsSync).flatMap((dir) => readdirSync(dir, { recursive: true }).map((file) => statSync(new URL(file, dir)).mtimeMs)));

if (existsSync(built) && statSync(built).mtimeMs >= newestSource()) {
  await import("../dist/main.js");
} else {
  const { register: registerTsx } = await import("tsx/esm/api");
  module.register("./source-condition.js", import.meta.url);
  registerTsx();
  await import("../src/main.ts");
}
