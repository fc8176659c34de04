/**
 * The worker's context: the shared one plus the container runtime. It lives under worker/ so that
 * only worker processes load the runtime (and dockerode); tests/api-imports.test.ts guards that the
 * API never does.
 */
import type { Config } from "../shared/config.js";
import { createAppContext, type WorkerContext } from "../shared/context.js";
import { createRuntime } from "../shared/runtime/index.js";

export function createWorkerContext(config: Config): WorkerContext {
  const ctx = createAppContext(config, "worker");
  return { ...ctx, runtime: createRuntime(config) };
}
