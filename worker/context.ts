/**
 * The worker's context: the shared one plus the container runtime. It lives under worker/ so that
 * only worker processes load the runtime (and dockerode); tests/api-imports.test.ts guards that the
 * API never does.
 */
import type { Config } from "../shared/config.js";
import { createAppContext, type WorkerContext } from "../shared/context.js";
import { DockerRuntime } from "../shared/runtime/docker.js";

export function createWorkerContext(config: Config): WorkerContext {
  const ctx = createAppContext(config, "worker");
  return { ...ctx, runtime: new DockerRuntime({ socketPath: config.DOCKER_SOCKET, owner: config.CONVERGENCE_INSTANCE }) };
}
