#!/usr/bin/env node
// The `convergence` command: runs the CLI's TypeScript source through tsx, so a clone works right
// after `npm ci`, with no build step. In this repository @convergence/sdk is used from source
// too: its package.json exports it under the "convergence-source" condition, added here.
import { register } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

register("./source-condition.js", import.meta.url);
registerTsx();
await import("../src/main.ts");
