/** Benchmarks run on the same real stack as the tests (test database, migrated first). */
import { execFileSync } from "node:child_process";
import { projectRoot } from "../shared/config.js";
import { startStack, testEnv } from "../tests/helpers/stack.js";

export async function benchStack(...args: Parameters<typeof startStack>) {
  execFileSync(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], { cwd: projectRoot, env: testEnv(), stdio: "ignore" });
  return startStack(...args);
}
