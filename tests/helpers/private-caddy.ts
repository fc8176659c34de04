/**
 * A Caddy of the test's own, on its own admin port and data directory, for what must not be
 * done to the Caddy everybody on this machine shares: stopping it and starting it empty. Only
 * this process's child is ever signalled.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "./stack.js";

export interface PrivateCaddy {
  adminUrl: string;
  /** Stops the process and starts a new one with nothing configured but its admin endpoint (same storage, so the same CA). */
  restartEmpty(): Promise<void>;
  /** Stops the process: its admin API and every listener are gone until `start`. */
  stop(): Promise<void>;
  /** Starts it again, empty (like restartEmpty after a stop); a no-op while it runs. */
  start(): Promise<void>;
  config(): Promise<unknown>;
  destroy(): Promise<void>;
}

export async function startPrivateCaddy(): Promise<PrivateCaddy> {
  const dir = mkdtempSync(join(tmpdir(), "cvg-caddy-"));
  mkdirSync(join(dir, "data"));
  const adminPort = await freePort();
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  // Only the admin endpoint: what a Caddy restarted without its autosave looks like.
  const bootstrap = join(dir, "bootstrap.json");
  writeFileSync(bootstrap, JSON.stringify({ admin: { listen: `127.0.0.1:${adminPort}`, config: { persist: false } } }));
  const log = openSync(join(dir, "caddy.log"), "a");
  let child: ChildProcess | null = null;

  const running = () => child !== null && child.exitCode === null && child.signalCode === null;
  const start = async () => {
    if (running()) return; // a second process would find the admin port taken and leave this one unmanaged
    child = spawn("caddy", ["run", "--config", bootstrap], {
      cwd: dir,
      env: { ...process.env, XDG_DATA_HOME: join(dir, "data"), XDG_CONFIG_HOME: join(dir, "config") },
      stdio: ["ignore", log, log],
    });
    await waitFor(async () => (await fetch(`${adminUrl}/config/`, { signal: AbortSignal.timeout(1_000) }).catch(() => null))?.ok, {
      timeoutMs: 15_000,
      what: `private Caddy on ${adminUrl}`,
    });
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill("SIGTERM");
    await once(c, "exit");
  };
  await start();
  return {
    adminUrl,
    async restartEmpty() {
      await stop();
      await start();
    },
    stop,
    start,
    async config() {
      return (await fetch(`${adminUrl}/config/`)).json();
    },
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
