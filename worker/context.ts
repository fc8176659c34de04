/**
 * The worker's context: the shared one plus the container runtime and the ingress, each built by
 * the one factory that chooses and configures it. It lives under worker/ so that only worker
 * processes load the runtime (and dockerode); tests/unit/api-imports.test.ts guards that the API never does.
 */
import type { Config } from "../shared/config.js";
import { createAppContext, type WorkerContext } from "../shared/context.js";
import { createIngress } from "../shared/ingress/index.js";
import { createRuntime } from "../shared/runtime/index.js";

export function createWorkerContext(config: Config): WorkerContext {
  const ctx = createAppContext(config, "worker");
  return { ...ctx, runtime: createRuntime(config), ingress: createIngress(config) };
}
