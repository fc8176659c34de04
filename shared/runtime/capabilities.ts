/**
 * What the configured runtime can do, for callers that must not load it (the API never loads a
 * container engine's client). Kept next to the runtimes so that nothing else branches on which one runs.
 */
import type { Config } from "../config.js";

/** Docker pauses (`docker pause`); Swarm offers no pause (a paused task's requests hang, moby#37809), only a stop (0 replicas). */
export function runtimeCanPause(config: Pick<Config, "CONVERGENCE_RUNTIME">): boolean {
  return config.CONVERGENCE_RUNTIME === "docker";
}
