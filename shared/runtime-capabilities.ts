/**
 * What the configured runtime can do, for callers that must not load it: the API never loads a
 * container engine's client, nor anything under shared/runtime/ (tests/unit/api-imports.test.ts),
 * yet answers at once that Swarm cannot pause. Each runtime says the same of itself (`canPause`).
 */
import type { Config } from "./config.js";

/** Docker pauses (`docker pause`); Swarm offers no pause (a paused task's requests hang, moby#37809), only a stop (0 replicas). */
export function runtimeCanPause(config: Pick<Config, "CONVERGENCE_RUNTIME">): boolean {
  return config.CONVERGENCE_RUNTIME === "docker";
}
