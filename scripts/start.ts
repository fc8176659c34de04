/**
 * `npm start` (after scripts/setup.sh and the build): a small supervisor for the API and one
 * worker. Each runs as a child process; one that exits on its own (a crash, an OOM kill) is
 * restarted with doubling back-off and a log line saying why, while the other keeps serving.
 * Ctrl-C (or SIGTERM) stops both and exits; so does a child refusing its configuration (exit 78). More workers: `npm run worker`, anywhere.
 * `npm run dev` runs this from source with `--dev`: logs through pino-pretty (scripts/pretty-logs.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { loadConfig, projectRoot } from "../shared/config.js";
import { nodeFlags } from "../shared/node-flags.js";

const config = loadConfig();

/** A child that stayed up this long is considered healthy: its next crash starts the back-off over. */
const STABLE_MS = 30_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

// Run the children the way this file runs: compiled (dist/scripts/start.js → dist/api/main.js)
// or from source through tsx (process.execArgv carries its loader).
const self = fileURLToPath(import.meta.url);
const ext = self.endsWith(".ts") ? ".ts" : ".js";
const entry = (name: string) => join(dirname(self), "..", name, `main${ext}`);

// `npm run dev` (--dev): the JSON lines through pino-pretty (colours on a terminal, stacks as
// stacks); otherwise they pass through untouched, as JSON, for whatever collects them.
const dev = process.argv.includes("--dev");
const prettyLogs = dev ? await import("./pretty-logs.js") : null; // a devDependency: production never loads it
const pretty = prettyLogs?.prettyLines({ colour: prettyLogs.wantsColour(process.stdout) }) ?? null;

const say = (msg: string) => console.error(`[start] ${msg}`);

interface Supervised {
  name: "api" | "worker";
  script: string;
  child: ChildProcess | null;
  startedAt: number;
  restarts: number;
  /** Consecutive quick crashes: the back-off exponent. */
  failures: number;
  timer: NodeJS.Timeout | null;
}

const supervised: Supervised[] = [];
let stopping = false;
let exitCode = 0;

function launch(s: Supervised) {
  s.timer = null;
  s.startedAt = Date.now();
  const child = spawn(process.execPath, [...nodeFlags[s.name], ...process.execArgv, s.script], {
    cwd: projectRoot,
    stdio: ["ignore", pretty ? "pipe" : "inherit", "inherit"],
    env: process.env,
  });
  if (pretty) createInterface({ input: child.stdout! }).on("line", (l) => process.stdout.write(pretty(l)));
  child.on("exit", (code, signal) => onExit(s, code, signal));
  s.child = child;
}

function onExit(s: Supervised, code: number | null, signal: NodeJS.Signals | null) {
  s.child = null;
  if (stopping) return;
  if (code === 78) {
    // EX_CONFIG: the child refused its configuration (ENCRYPTION_KEY not the database's, say),
    // which no restart can change; its own message is just above.
    say(`${s.name} refused to start: its configuration is wrong (see above); stopping`);
    exitCode = 78;
    return stop("configuration error");
  }
  const ranMs = Date.now() - s.startedAt;
  s.failures = ranMs >= STABLE_MS ? 0 : s.failures + 1;
  const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, s.failures - 1));
  s.restarts++;
  say(`${s.name} exited (${signal ?? `code ${code}`}) after ${Math.round(ranMs / 1000)}s; ` + `restarting in ${delay / 1000}s (restart #${s.restarts})`);
  s.timer = setTimeout(() => launch(s), delay);
}

function supervise(name: "api" | "worker", script: string) {
  const s: Supervised = { name, script, child: null, startedAt: 0, restarts: 0, failures: 0, timer: null };
  supervised.push(s);
  launch(s);
}

function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping the API and the worker`);
  for (const s of supervised) {
    if (s.timer) clearTimeout(s.timer);
    s.child?.kill("SIGTERM");
  }
  // The children finish active work within SHUTDOWN_TIMEOUT_MS; don't wait for ever beyond that.
  setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS + 2_000).unref();
  const running = supervised.map((s) => s.child).filter((c): c is ChildProcess => c !== null);
  void Promise.all(running.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once("exit", r))))).then(() => process.exit(exitCode));
}
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));

supervise("api", entry("api"));
supervise("worker", entry("worker"));

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

  A crashed API or worker is restarted; Ctrl-C stops both.
`;

async function announceWhenUp() {
  for (let i = 0; i < 120 && !stopping; i++) {
    if (
      await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return console.log(banner);
    await new Promise((r) => setTimeout(r, 250));
  }
}
void announceWhenUp();
