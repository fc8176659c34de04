/**
 * Deploys in every language (docs/deploys.md, "Languages"), on one stack: one small app per kind
 * (python, go, bun, static) uploaded to a tenant spawned from that language's template, built in
 * build containers, goes live and answers through the tenant's host port; a python app asking for
 * a package the base image does not have and a go module with a `require` fail at build time with
 * the reason (the live revision keeps serving); an archive of no known kind is refused with 400.
 * Real Postgres, Redis, Docker and Caddy.
 */
import { gzipSync } from "node:zlib";
import tarStream from "tar-stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { httpGet } from "./helpers/https.js";
import { spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";

async function archiveOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => pack.on("end", r));
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, content);
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

const apps = {
  python: {
    template: "python/fastapi",
    files: {
      "main.py": [
        "import os",
        "from fastapi import FastAPI",
        "app = FastAPI()",
        "@app.get('/health')",
        "def health():",
        "    return {'status': 'ok'}",
        "@app.get('/')",
        "def root():",
        "    return {'lang': 'python', 'port': os.environ['PORT']}",
        "",
      ].join("\n"),
      "requirements.txt": "fastapi\nuvicorn  # the server\n",
    },
  },
  go: {
    template: "go/stdlib",
    files: {
      "go.mod": "module example.com/hello\n\ngo 1.19\n",
      "main.go": [
        "package main",
        "",
        'import ("fmt"; "net/http"; "os")',
        "",
        "func main() {",
        '\thttp.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"status":"ok"}`) })',
        '\thttp.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, `{"lang":"go","port":"%s"}`, os.Getenv("PORT")) })',
        '\tpanic(http.ListenAndServe(":"+os.Getenv("PORT"), nil))',
        "}",
        "",
      ].join("\n"),
    },
  },
  bun: {
    template: "bun/hono",
    files: {
      "package.json": JSON.stringify({ name: "hello-bun", private: true, engines: { bun: ">=1" }, scripts: { start: "bun server.ts" } }),
      "server.ts": [
        "const port: number = Number(process.env.PORT);",
        "Bun.serve({ port, fetch(req: Request) {",
        "  const path = new URL(req.url).pathname;",
        "  return Response.json(path === '/health' ? { status: 'ok' } : { lang: 'bun', port: String(port), bun: typeof Bun.version });",
        "} });",
        "",
      ].join("\n"),
    },
  },
  static: {
    template: "static/html",
    files: { "index.html": '<!doctype html><p id="lang">static deploy</p>\n', "about/index.html": "<p>about</p>\n" },
  },
} as const;
type Kind = keyof typeof apps;

let stack: Stack;
let token: string;
const tenants = new Map<Kind, { envId: number; port: number }>();

async function upload(envId: number, archive: Buffer) {
  const res = await fetch(`${stack.url}/api/v1/tenant/${envId}/deployments`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/gzip" },
    body: new Uint8Array(archive),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function deploy(kind: Kind, files: Record<string, string>) {
  const { envId } = tenants.get(kind)!;
  const res = await upload(envId, await archiveOf(files));
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const revision = res.body.deployment.revision as number;
  return waitFor(
    async () => {
      const r = await stack.api(`/api/v1/tenant/${envId}/deployments/${revision}?wait=live&timeout=20`, { token, timeoutMs: 30_000 });
      return ["live", "failed"].includes(r.body?.deployment?.status) ? r.body.deployment : null;
    },
    { timeoutMs: 420_000, intervalMs: 200, what: `${kind} revision ${revision} to finish` },
  );
}

const hostGet = (kind: Kind, path: string) => httpGet(`http://127.0.0.1:${tenants.get(kind)!.port}${path}`, 10_000);

beforeAll(async () => {
  stack = await startStack("deploys-languages", { DEPLOY_DRAIN_MS: "500", DEPLOY_HEALTH_TIMEOUT_MS: "30000" }, { workers: 1 });
  ({ token } = await stack.newOrg("languages"));
  await Promise.all(
    (Object.keys(apps) as Kind[]).map(async (kind) => {
      const [language, framework] = apps[kind].template.split("/");
      const res = await spawnViaApi(stack, token, { name: `lang-${kind}`, language, framework });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      const ready = await waitForStatus(stack, token, res.body.tenant.envId, ["ready"], 180_000);
      tenants.set(kind, { envId: res.body.tenant.envId, port: ready.port });
    }),
  );
}, 240_000);

afterAll(async () => {
  for (const { envId } of tenants.values()) await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token }).catch(() => {});
  for (const { envId } of tenants.values()) await waitForStatus(stack, token, envId, ["destroyed"], 60_000).catch(() => {});
  await stack?.stop();
}, 120_000);

describe("deploys in every language", () => {
  test("an archive of no known kind is refused with 400 listing the kinds, and stores nothing", async () => {
    const { envId } = tenants.get("static")!;
    const res = await upload(envId, await archiveOf({ Gemfile: "source 'https://rubygems.org'\n", "app.rb": "puts 1\n" }));
    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(res.body.error.code).toBe("INVALID_ARCHIVE");
    expect(res.body.error.details.reason).toBe("unknown-kind");
    for (const kind of ["node", "bun", "python", "go", "static"]) expect(res.body.error.message).toContain(kind);
    const list = await stack.api(`/api/v1/tenant/${envId}/deployments`, { token });
    expect(list.body.deployments.filter((d: { source: string }) => d.source === "upload")).toEqual([]);
  });

  test("one app per language goes live and answers through the tenant's host port", async () => {
    const results = await Promise.all((Object.keys(apps) as Kind[]).map(async (kind) => [kind, await deploy(kind, apps[kind].files)] as const));
    for (const [kind, d] of results) expect({ kind, status: d.status, error: d.error }).toEqual({ kind, status: "live", error: null });
    for (const kind of ["python", "go", "bun"] as const) {
      const r = await hostGet(kind, "/");
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ lang: kind, port: "3000" });
      expect((await hostGet(kind, "/health")).status).toBe(200);
    }
    const page = await hostGet("static", "/");
    expect(page.status).toBe(200);
    expect(page.body).toContain("static deploy");
    expect((await hostGet("static", "/about/")).body).toContain("about");
    expect((await hostGet("static", "/health")).status).toBe(200);
  }, 480_000);

  test("a python app asking for a package the base image lacks fails at build time with what is there; the live one keeps serving", async () => {
    const d = await deploy("python", { ...apps.python.files, "requirements.txt": "fastapi\nrequests==2.31.0\n" });
    expect(d.status).toBe("failed");
    expect(d.error).toContain("requests");
    expect(d.error).toMatch(/available: .*fastapi==/);
    expect(JSON.parse((await hostGet("python", "/")).body).lang).toBe("python");
  }, 300_000);

  test("a go module with a require fails at build time, naming it; the live one keeps serving", async () => {
    const d = await deploy("go", { ...apps.go.files, "go.mod": "module example.com/hello\n\ngo 1.19\n\nrequire github.com/gorilla/mux v1.8.0\n" });
    expect(d.status).toBe("failed");
    expect(d.error).toContain("github.com/gorilla/mux");
    expect(d.error).toContain("standard library");
    expect(JSON.parse((await hostGet("go", "/")).body).lang).toBe("go");
  }, 300_000);
});
