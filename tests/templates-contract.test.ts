/**
 * One contract for every starter template (DESIGN.md §7.5): spawned through the real API and worker,
 * each becomes ready, answers GET /health with its tenant id on its port, gets the quick reference's
 * environment, converges through the master with its own key (metered, and refused through the
 * ingress without it), writes its logs where the API shows them, runs hardened, is isolated from
 * other tenants, and comes back by itself when its container is killed. A new template is one
 * directory under tenant-templates/ plus one line in TEMPLATES (the first test fails until it is).
 */
import { readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { projectRoot } from "../shared/config.js";
import { TemplateRegistry } from "../shared/templates.js";
import { networkOwner, spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";
import { outcomes, probeFrom } from "./helpers/tenants.js";

/** `app`: serves /api/converge (and a root page naming the tenant); `static`: files and /health only. */
const TEMPLATES: Array<{ id: string; kind: "app" | "static" }> = [
  { id: "node/express", kind: "app" },
  { id: "node/hono", kind: "app" },
  { id: "python/fastapi", kind: "app" },
  { id: "go/stdlib", kind: "app" },
  { id: "bun/hono", kind: "app" },
  { id: "static/html", kind: "static" },
];

const CONTRACT_ENV = ["CONVERGENCE_API_URL", "CONVERGENCE_API_KEY", "CONVERGENCE_ORG_ID", "CONVERGENCE_ENV_ID", "TENANT_ID", "TENANT_NAME"];
const body = { prompt: "Design a system", agentARole: "Architect", agentBRole: "Reviewer" };

interface Spawned {
  envId: number;
  port: number;
  name: string;
  containerName: string;
  apiKey: string;
}

let stack: Stack;
let org: { id: number; token: string };
const tenants = new Map<string, Spawned>();
/** A node/express tenant of another organisation, probing the others from inside. */
let prober: Spawned;

async function spawnReady(token: string, id: string, name: string): Promise<Spawned> {
  const [language, framework] = id.split("/");
  const res = await spawnViaApi(stack, token, { name, language, framework });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const ready = await waitForStatus(stack, token, res.body.tenant.envId, ["ready", "failed"]);
  expect(ready.status, `${id}: ${ready.error}`).toBe("ready");
  return { envId: ready.envId, port: ready.port, name, containerName: ready.containerName, apiKey: res.body.tenant.apiKey };
}

const tenantOf = (id: string) => {
  const t = tenants.get(id);
  if (!t) throw new Error(`${id} did not become ready (see beforeAll)`);
  return t;
};

async function callsOf(t: Spawned): Promise<number> {
  const u = await stack.api(`/api/v1/usage?tenant_id=tenant_${t.envId}`, { token: org.token });
  expect(u.status).toBe(200);
  return u.body.tenants[0]?.calls ?? 0;
}

beforeAll(async () => {
  stack = await startStack("templates", {
    HEALTH_INTERVAL_MS: "700",
    HEALTH_FAILURE_THRESHOLD: "2",
    HEALTH_RESTART_BACKOFF_MS: "500",
    HEALTH_MAX_RESTARTS: "3",
  });
  org = await stack.newOrg("templates");
  const other = await stack.newOrg("templates-prober");
  const spawned = await Promise.all([
    spawnReady(other.token, "node/express", "prober"),
    ...TEMPLATES.map(({ id }) => spawnReady(org.token, id, `tpl-${id.replace("/", "-")}`).then((t) => tenants.set(id, t))),
  ]);
  prober = spawned[0] as Spawned;
}, 240_000);

afterAll(async () => {
  await stack?.stop(); // removes every container of the stack's organisations
});

test("every template directory is in this contract's list, and GET /api/v1/templates lists them all", async () => {
  const dirs = readdirSync(join(projectRoot, "tenant-templates")).filter((d) => existsSync(join(projectRoot, "tenant-templates", d, "template.json")));
  const installed = new TemplateRegistry(join(projectRoot, "tenant-templates")).list().map((t) => t.id);
  expect(installed).toHaveLength(dirs.length);
  expect([...installed].sort()).toEqual(TEMPLATES.map((t) => t.id).sort());
  const listed = await stack.api("/api/v1/templates", { token: org.token });
  expect(listed.status).toBe(200);
  expect(listed.body.templates.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining(installed));
});

test("an unknown language or framework is refused with 400 UNKNOWN_TEMPLATE listing every template, and creates nothing", async () => {
  const before = await stack.api("/api/v1/tenant", { token: org.token });
  for (const [language, framework] of [
    ["ruby", "rails"],
    ["python", "django"],
    ["go", "gin"],
    ["static", "hugo"],
  ]) {
    const res = await spawnViaApi(stack, org.token, { name: "nope", language, framework });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("UNKNOWN_TEMPLATE");
    for (const { id } of TEMPLATES) expect(res.body.error.message).toContain(id);
  }
  const after = await stack.api("/api/v1/tenant", { token: org.token });
  expect(after.body.tenants).toHaveLength(before.body.tenants.length);
});

describe.each(TEMPLATES)("the $id template", ({ id, kind }) => {
  test("is ready and answers GET /health on its port with its tenant id", async () => {
    const t = tenantOf(id);
    const res = await fetch(`http://127.0.0.1:${t.port}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: "ok", tenant: `tenant_${t.envId}` });
  });

  test("gets exactly the quick reference's environment, and its app reads it", async () => {
    const t = tenantOf(id);
    const info = await stack.docker.getContainer(t.containerName).inspect();
    const env = Object.fromEntries((info.Config.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
    for (const key of CONTRACT_ENV) expect(env, key).toHaveProperty(key);
    expect(env).toMatchObject({
      CONVERGENCE_API_KEY: t.apiKey,
      CONVERGENCE_ORG_ID: String(org.id),
      CONVERGENCE_ENV_ID: String(t.envId),
      TENANT_ID: `tenant_${t.envId}`,
      TENANT_NAME: t.name,
    });
    expect(env.CONVERGENCE_API_URL).toMatch(/^http:\/\/host\.docker\.internal:\d+\/api\/v1$/);
    const page = await fetch(`http://127.0.0.1:${t.port}/`);
    expect(page.status).toBe(200);
    if (kind === "app") {
      const html = await page.text();
      expect(html).toContain(`<title>${t.name}</title>`);
      expect(html).toContain(`Tenant tenant_${t.envId} of organisation ${org.id}`);
    }
  });

  if (kind === "app") {
    test("converges through the master with its own key, metered once per call; through the ingress only with that key", async () => {
      const t = tenantOf(id);
      const post = (headers: Record<string, string> = {}) =>
        fetch(`http://127.0.0.1:${t.port}/api/converge`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
      const res = await post();
      expect(res.status).toBe(200);
      const json = await res.json();
      expect(json.success).toBe(true);
      expect(json.result).toMatchObject({ converged: true });
      expect(await callsOf(t)).toBe(1);

      const marked = { "x-convergence-ingress": "1" };
      const refused = await post(marked);
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toBe("Bearer");
      expect((await refused.json()).error.code).toBe("UNAUTHORIZED");
      expect((await post({ ...marked, authorization: "Bearer sk_tenant_not-this-one" })).status).toBe(401);
      expect(await callsOf(t)).toBe(1);
      expect((await post({ ...marked, authorization: `Bearer ${t.apiKey}` })).status).toBe(200);
      expect(await callsOf(t)).toBe(2);
    });
  } else {
    test("serves its files and nothing that converges", async () => {
      const t = tenantOf(id);
      const page = await fetch(`http://127.0.0.1:${t.port}/`);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await page.text()).toContain("<h1>Static site on Convergence</h1>");
      expect((await fetch(`http://127.0.0.1:${t.port}/missing.html`)).status).toBe(404);
      const converge = await fetch(`http://127.0.0.1:${t.port}/api/converge`, { method: "POST", body: JSON.stringify(body) });
      expect(converge.status).toBe(405);
      expect(await callsOf(t)).toBe(0);
    });
  }

  test("writes its start-up line to the logs the API shows", async () => {
    const t = tenantOf(id);
    const logs = await stack.api(`/api/v1/tenant/${t.envId}/logs?tail=50`, { token: org.token });
    expect(logs.status).toBe(200);
    expect(logs.body.lines.join("\n")).toContain(`tenant_${t.envId} (${t.name})`);
  });

  test("runs hardened: as 1000:1000 on a read-only root, all capabilities dropped, no new privileges, memory, pids and CPU limits", async () => {
    const t = tenantOf(id);
    const container = stack.docker.getContainer(t.containerName);
    // The CPU quota is applied once the app listens (provision.ts): it is there by `ready`.
    const info = await container.inspect();
    const host = info.HostConfig;
    expect(info.Config.User).toBe("1000:1000");
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.CapDrop).toEqual(["ALL"]);
    expect(host.CapAdd ?? []).toEqual([]);
    expect(host.Privileged).toBe(false);
    expect(host.SecurityOpt).toContain("no-new-privileges:true");
    expect(host.Memory).toBe(stack.config.TENANT_MEMORY_MB * 1024 * 1024);
    expect(host.PidsLimit).toBe(stack.config.TENANT_PIDS_LIMIT);
    expect((host.NanoCpus ?? 0) > 0 || (host.CpuQuota ?? 0) > 0, JSON.stringify({ NanoCpus: host.NanoCpus, CpuQuota: host.CpuQuota })).toBe(true);
    expect(host.Binds ?? []).toEqual([]);
    // What actually runs: every process of the container, as the engine sees it.
    const top = (await container.top({ ps_args: "-o pid,uid,comm" })) as { Titles: string[]; Processes: string[][] };
    const uid = top.Titles.indexOf("UID");
    expect(uid).toBeGreaterThanOrEqual(0);
    expect(top.Processes.length).toBeGreaterThan(0);
    for (const p of top.Processes) expect(p[uid], p.join(" ")).toBe("1000");
  });

  test("cannot be reached by another tenant, by address, name or host port", async () => {
    const t = tenantOf(id);
    const info = await networkOwner(stack.docker, t.containerName);
    const [net] = Object.values(info.NetworkSettings.Networks ?? {});
    const name = info.Name.replace(/^\//, "");
    const { IPAddress: proberIp } = Object.values((await networkOwner(stack.docker, prober.containerName)).NetworkSettings.Networks ?? {})[0]!;
    const results = await probeFrom(stack.docker, prober.containerName, [
      { host: net!.IPAddress, port: 3000 },
      { host: name, port: 3000 },
      { host: "host.docker.internal", port: t.port },
      { host: proberIp, port: 3000 }, // its own app: the probe itself works
    ]);
    const self = results.pop()!;
    expect(self.outcome, "the prober reaches its own app").toBe("connected");
    for (const r of results) expect(r.outcome, JSON.stringify(outcomes(results))).not.toBe("connected");
  });
});

test("every template's tenant comes back by itself when its container is killed", async () => {
  const before = new Map<string, number>();
  for (const { id } of TEMPLATES) {
    const t = tenantOf(id);
    before.set(id, (await waitForStatus(stack, org.token, t.envId, ["ready"])).health.restartCount);
    await stack.docker.getContainer(t.containerName).kill();
  }
  await Promise.all(
    TEMPLATES.map(async ({ id }) => {
      const t = tenantOf(id);
      await waitFor(
        async () => {
          const s = (await stack.api(`/api/v1/tenant/${t.envId}/status`, { token: org.token })).body.tenant;
          return s.status === "ready" && s.health.restartCount > before.get(id)!;
        },
        { timeoutMs: 90_000, what: `${id} to be restarted and ready again` },
      );
      const res = await fetch(`http://127.0.0.1:${t.port}/health`);
      expect(res.status, id).toBe(200);
      expect(await res.json(), id).toEqual({ status: "ok", tenant: `tenant_${t.envId}` });
    }),
  );
}, 120_000);
