/**
 * A throw-away Redis for tests that must freeze or stop Redis without touching the one every
 * other test (and every other engineer) on this machine uses: redis-server on a free port on
 * 127.0.0.1, its files in a temp directory, no persistence. Only its own process is signalled.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort, waitFor } from "./stack.js";

export interface PrivateRedis {
  url: string;
  /** SIGSTOP: connections stay open and commands hang instead of being refused. */
  freeze(): void;
  thaw(): void;
  destroy(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), "cvg-redis-"));
  const port = await freePort();
  const proc: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--logfile", join(dir, "redis.log")], {
    stdio: "ignore",
  });
  const url = `redis://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on("error", () => {}); // refused until it listens: that is what we wait out
      try {
        await probe.connect();
        return (await probe.ping()) === "PONG";
      } finally {
        probe.disconnect();
      }
    },
    { timeoutMs: 10_000, what: "the private redis-server to answer" },
  );
  let frozen = false;
  return {
    url,
    freeze() {
      proc.kill("SIGSTOP");
      frozen = true;
    },
    thaw() {
      proc.kill("SIGCONT");
      frozen = false;
    },
    async destroy() {
      if (frozen) proc.kill("SIGCONT");
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
