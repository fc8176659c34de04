/**
 * `npm start` (after scripts/setup.sh): runs the API and one worker as child processes, prefixes
 * their output, and stops both on Ctrl-C. For several workers run `npm run worker` again elsewhere.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { loadConfig, projectRoot } from "../shared/config.js";

const config = loadConfig();
const children: ChildProcess[] = [];

function run(name: string, script: string) {
  const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: projectRoot, stdio: ["ignore", "inherit", "inherit"], env: process.env });
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`[start] ${name} exited (${signal ?? code}); stopping`);
      stop(1);
    }
  });
  children.push(child);
}

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  setTimeout(() => process.exit(code), 12_000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.on("exit", r))))).then(() => process.exit(code));
}
process.on("SIGINT", () => stop());
process.on("SIGTERM", () => stop());

run("api", "api/main.ts");
run("worker", "worker/main.ts");

const base = `http://localhost:${config.PORT}`;
setTimeout(() => {
  console.log(`
  Convergence is running.
    API       ${base}            (docs: ${base}/docs, OpenAPI: ${base}/openapi.json)
    Worker    1 process           (add more: npm run worker)

  Try it (TOKEN is printed above on first start, or your CONVERGENCE_ADMIN_TOKEN):
    curl -X POST ${base}/api/v1/tenant/spawn -H "Authorization: Bearer $TOKEN" \\
      -H 'Content-Type: application/json' -d '{"name":"my-app","language":"node","framework":"express"}'
    curl ${base}/api/v1/tenant/1/status -H "Authorization: Bearer $TOKEN"

  Ctrl-C stops both.
`);
}, 2500).unref();
