/**
 * `npm run backup` and `npm run restore` with live tenants: the platform's database is dumped,
 * lost (dropped and created again, empty), restored, and a new API and worker on it bring the
 * platform back: the same tenants ready, their running containers adopted (not re-created), their
 * routes back in Caddy (which lost them too), their API keys still good for a convergence call.
 * The database is a private Postgres cluster of this file's own (the test drops it).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../shared/config.js";
import { createIngress } from "../shared/ingress/index.js";
import { getTenant } from "../shared/tenants/queries.js";
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from "./helpers/private-postgres.js";
import { deleteKeys, ownedContainers, startStack, waitForStatus, type Stack } from "./helpers/stack.js";

let pg: PrivatePostgres;
let before: Stack | undefined;
let after: Stack | undefined;
let dir: string;

beforeAll(async () => {
  const missing = privatePostgresUnavailable();
  if (missing) throw new Error(`cannot run a private Postgres: ${missing}; run scripts/setup.sh as root`);
  pg = await startPrivatePostgres();
  dir = mkdtempSync(join(tmpdir(), "cvg-backup-"));
  before = await startStack("backup", { DATABASE_URL: pg.url });
}, 120_000);
afterAll(async () => {
  await after?.stop();
  // The first stack's clean-up (its organisation's containers, its Caddy servers, its Redis keys) runs on the restored database.
  await before?.stop();
  pg?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs one of scripts/*.ts as `npm run <name>` would, with the stack's environment. */
function script(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", `scripts/${name}.ts`, ...args], { cwd: projectRoot, env }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("backup and restore", () => {
  it("a restored database brings back the same tenants: ready, their containers adopted, their routes in Caddy, their keys working", async () => {
    const stack = before!;
    const org = await stack.newOrg();
    const spawned: Array<{ envId: number; apiKey: string }> = [];
    for (const name of ["kept-a", "kept-b"]) {
      const res = await stack.api("/api/v1/tenant/spawn", { token: org.token, body: { name, language: "node", framework: "express" } });
      expect(res.status).toBe(202);
      spawned.push({ envId: res.body.tenant.envId, apiKey: res.body.tenant.apiKey });
    }
    for (const t of spawned) expect((await waitForStatus(stack, org.token, t.envId, ["ready", "failed"])).status).toBe("ready");
    const containerIds = new Map<number, string>();
    for (const t of spawned) containerIds.set(t.envId, (await getTenant(stack.db, t.envId))!.containerId!);

    const backup = await script("backup", [dir], stack.env);
    expect(backup.code, backup.stderr).toBe(0);
    const file = backup.stdout.trim();
    expect(file).toMatch(/convergence-convergence-\d{4}-\d\d-\d\dT[\d-]+Z\.dump$/);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(backup.stderr).toContain("the reconciler re-enqueues every tenant");

    // Everything but the tenant containers is lost: the processes, Redis's keys, Caddy's routes, the database.
    await stack.stopWorkers();
    stack.apiProcess.kill("SIGTERM");
    await new Promise((r) => (stack.apiProcess.exitCode === null ? stack.apiProcess.once("exit", r) : r(null)));
    await deleteKeys(stack.redis, stack.config.QUEUE_PREFIX);
    await createIngress(stack.config).removeAll();
    const admin = postgres({ host: "127.0.0.1", port: pg.port, user: "postgres", database: "postgres", max: 1, onnotice: () => {} });
    await admin.unsafe("drop database convergence with (force)");
    await admin.unsafe("create database convergence owner convergence");
    await admin.end();

    const restored = await script("restore", [file], stack.env);
    expect(restored.code, restored.stderr).toBe(0);
    // A second restore would mix two states: refused, with the way out.
    const again = await script("restore", [file], stack.env);
    expect(again.code).toBe(65);
    expect(again.stderr).toMatch(/is not empty.*--force/s);

    // The same platform (owner label, ingress name and ports, queue prefix) starts on the restored database.
    const same = ["QUEUE_PREFIX", "INGRESS_NAME", "INGRESS_HTTPS_PORT", "INGRESS_HTTP_PORT", "DATABASE_URL"] as const;
    after = await startStack("restored", Object.fromEntries(same.map((k) => [k, stack.env[k]])));
    for (const t of spawned) {
      expect((await waitForStatus(after, org.token, t.envId, ["ready", "failed"])).status).toBe("ready");
      const containers = await ownedContainers(after, t.envId);
      expect(containers.map((c) => c.Id)).toEqual([containerIds.get(t.envId)]);
      expect((await getTenant(after.db, t.envId))?.containerId).toBe(containerIds.get(t.envId));
    }
    const ingress = createIngress(after.config);
    await expect.poll(async () => (await ingress.listRoutes()).map((r) => r.envId).sort(), { timeout: 30_000, interval: 250 }).toEqual(spawned.map((t) => t.envId).sort());
    for (const t of spawned) {
      const res = await after.api("/api/v1/converge", {
        headers: { authorization: `Bearer ${t.apiKey}` },
        body: { prompt: "Design a system", agentARole: "Architect", agentBRole: "Reviewer" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    for (const t of spawned) await after.api(`/api/v1/tenant/${t.envId}`, { method: "DELETE", token: org.token });
    for (const t of spawned) await waitForStatus(after, org.token, t.envId, ["destroyed"]);
  });
});
