/**
 * The patched postgres.js (patches/postgres+3.4.9.patch) survives a connection whose backend dies
 * under it, as on a Postgres restart: unpatched, a write queued for the closed socket throws
 * from a timer (`Cannot read properties of null (reading 'write')` in nextWrite), which no caller
 * can catch, and the process exits; seen taking a worker down in `npm run chaos`. Each case runs
 * in a child process, so that a crash is an exit code here rather than the test runner's death.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../shared/config.js";
import { testEnv } from "./helpers/stack.js";

function run(script: string) {
  const out = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: projectRoot,
    env: { ...testEnv() },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: out.status, stdout: out.stdout.trim(), stderr: out.stderr };
}

const prelude = `
  import postgres from "postgres";
  const sql = postgres(process.env.DATABASE_URL, { max: 2, onnotice: () => {} });
  const admin = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
  const kill = (pid) => admin\`select pg_terminate_backend(\${pid})\`;
  const outcome = (p) => p.then(() => "ok", (e) => e.code ?? e.message);
`;

describe("postgres.js when a backend dies under a connection", () => {
  it("a reserved connection fails its queries with CONNECTION_CLOSED instead of crashing the process", () => {
    const r = run(`${prelude}
      const reserved = await sql.reserve();
      const [{ pid }] = await reserved\`select pg_backend_pid() as pid\`;
      await kill(pid);
      await new Promise((r) => setTimeout(r, 200));
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await outcome(reserved\`select 1\`));
      reserved.release();
      // The dead connection goes back to the pool, whose next query on it fails the same way
      // (postgres.js's release does not look at the connection); the one after reconnects.
      const after = [];
      for (let i = 0; i < 3; i++) after.push(await outcome(sql\`select 1\`));
      console.log(JSON.stringify({ results, after: after.at(-1) }));
      await admin.end();
      await sql.end({ timeout: 1 });
    `);
    expect(r.stderr).not.toMatch(/reading 'write'/);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ results: ["CONNECTION_CLOSED", "CONNECTION_CLOSED", "CONNECTION_CLOSED"], after: "ok" });
  });

  it("a pool whose every backend is killed while queries run keeps answering", () => {
    const r = run(`${prelude}
      const busy = Array.from({ length: 20 }, () => outcome(sql\`select pg_sleep(0.2)\`));
      await new Promise((r) => setTimeout(r, 50));
      await admin\`select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid() and query like '%pg_sleep(0.2)%' and datname = current_database()\`;
      await Promise.all(busy);
      const after = [];
      for (let i = 0; i < 5; i++) after.push(await outcome(sql\`select 1\`));
      console.log(JSON.stringify({ after }));
      await admin.end();
      await sql.end({ timeout: 1 });
    `);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ after: ["ok", "ok", "ok", "ok", "ok"] });
  });
});
