/**
 * `npm start` (after scripts/setup.sh): runs the API and one worker as child processes, prefixes
 * their output, and stops both on Ctrl-C. For several workers run `npm run worker` again elsewhere.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { loadConfig, projectRoot } from "../shared/config.js";

const config = loadConfig();
const children: ChildProcess[] = [];

// On a terminal the JSON logs are shown one readable line each; piped elsewhere they pass through as JSON.
const pretty = process.stdout.isTTY;
const levels: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "WARN", 50: "ERROR", 60: "FATAL" };

function readable(line: string): string {
  try {
    const { level, time, name, msg, pid: _p, hostname: _h, ...rest } = JSON.parse(line);
    const fields = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`)
      .join(" ");
    return `${new Date(time).toISOString().slice(11, 23)} ${(levels[level] ?? level).padEnd(5)} ${String(name).padEnd(6)} ${msg} ${fields}`;
  } catch {
    return line;
  }
}

function run(name: string, script: string) {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: projectRoot,
    stdio: ["ignore", pretty ? "pipe" : "inherit", "inherit"],
    env: process.env,
  });
  if (pretty) createInterface({ input: child.stdout! }).on("line", (l) => console.log(readable(l)));
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
// The banner once the API answers, so it is not buried under start-up lines.
const banner = `
  Convergence is running.
    API       ${base}            (docs: ${base}/docs, OpenAPI: ${base}/openapi.json)
    Worker    1 process           (add more: npm run worker)

  Try it (TOKEN is printed above on first start, or your CONVERGENCE_ADMIN_TOKEN):
    curl -X POST ${base}/api/v1/tenant/spawn -H "Authorization: Bearer $TOKEN" \\
      -H 'Content-Type: application/json' -d '{"name":"my-app","language":"node","framework":"express"}'
    curl ${base}/api/v1/tenant/1/status -H "Authorization: Bearer $TOKEN"

  Ctrl-C stops both.
`;

async function announceWhenUp() {
  for (let i = 0; i < 120 && !stopping; i++) {
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) return console.log(banner);
    await new Promise((r) => setTimeout(r, 250));
  }
}
void announceWhenUp();
