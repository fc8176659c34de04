/**
 * `node dist/worker/healthcheck.js`: exit 0 while the worker's heartbeat file is fresh (see
 * worker/heartbeat.ts), 1 otherwise. Used as the worker's container healthcheck.
 */
import { statSync } from "node:fs";
import { loadConfig } from "../shared/config.js";

const { WORKER_HEARTBEAT_FILE: file, WORKER_HEARTBEAT_MS: intervalMs } = loadConfig();
if (!file) {
  console.error("WORKER_HEARTBEAT_FILE is not set");
  process.exit(1);
}
try {
  const age = Date.now() - statSync(file).mtimeMs;
  if (age > 3 * intervalMs) {
    console.error(`heartbeat is ${Math.round(age / 1000)}s old`);
    process.exit(1);
  }
} catch {
  console.error(`no heartbeat yet at ${file}`);
  process.exit(1);
}
