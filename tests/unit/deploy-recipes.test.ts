/**
 * Which kind of app a deploy archive holds (shared/deploys/recipes/detect.ts) and what each kind's
 * Dockerfile does (shared/deploys/recipes/index.ts): pure, no services.
 */
import { describe, expect, test } from "vitest";
import { bunCommand, definesAsgiApp, detectApp, goRequires } from "../../shared/deploys/recipes/detect.js";
import { goDockerfile, pythonDockerfile, refusalMarker, staticDockerfile } from "../../shared/deploys/recipes/index.js";

const files = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k, Buffer.from(v)]));
const kindOf = (o: Record<string, string>) => {
  const d = detectApp(files(o));
  return "problem" in d ? `problem:${d.problem.reason}` : d.kind;
};

const pkg = (p: Record<string, unknown>) => JSON.stringify(p);

describe("detectApp", () => {
  test("package.json with a node start script is node (today's path)", () => {
    expect(kindOf({ "package.json": pkg({ scripts: { start: "node server.js" } }), "server.js": "" })).toBe("node");
    // Node's own checks (start script, server.js) stay in archive.ts: detection does not refuse them.
    expect(kindOf({ "package.json": pkg({}) })).toBe("node");
  });

  test("bun: a bun lock file, engines.bun or a bun start script", () => {
    expect(kindOf({ "package.json": pkg({}), "bun.lockb": "", "index.ts": "" })).toBe("bun");
    expect(kindOf({ "package.json": pkg({}), "bun.lock": "", "server.js": "" })).toBe("bun");
    expect(kindOf({ "package.json": pkg({ engines: { bun: ">=1" } }), "server.ts": "" })).toBe("bun");
    expect(kindOf({ "package.json": pkg({ scripts: { start: "bun app.ts" } }) })).toBe("bun");
    expect(kindOf({ "package.json": pkg({ engines: { bun: "1" }, scripts: { start: "bun run a.ts && rm -rf /" } }) })).toBe("problem:no-start-script");
    expect(kindOf({ "package.json": "[1]", "bun.lock": "" })).toBe("problem:bad-package-json");
  });

  test("bun's command: the start script without a shell, else module/main, else an entry file", () => {
    expect(bunCommand({ scripts: { start: "bun run server.ts --port 1" } }, files({}))).toEqual(["bun", "server.ts", "--port", "1"]);
    expect(bunCommand({ scripts: { start: "node server.js" } }, files({}))).toEqual(["bun", "server.js"]);
    expect(bunCommand({ module: "src/index.ts" }, files({}))).toEqual(["bun", "src/index.ts"]);
    expect(bunCommand({ module: "../x.ts" }, files({ "index.ts": "" }))).toEqual(["bun", "index.ts"]);
    expect(bunCommand({}, files({ "server.js": "" }))).toEqual(["bun", "server.js"]);
    expect(bunCommand({}, files({}))).toBeNull();
    expect(bunCommand({ scripts: { start: "bun $(x)" } }, files({}))).toBeNull();
  });

  test("python: main.py or app.py with a module-level ASGI app", () => {
    expect(detectApp(files({ "main.py": "from fastapi import FastAPI\napp = FastAPI()\n" }))).toEqual({ kind: "python", module: "main" });
    expect(detectApp(files({ "app.py": "app: Starlette = Starlette()\n" }))).toEqual({ kind: "python", module: "app" });
    expect(kindOf({ "main.py": "print('hi')\n" })).toBe("problem:no-asgi-app");
    expect(definesAsgiApp("def f():\n    app = 1\n")).toBe(false);
    expect(definesAsgiApp("if app == 1: pass\n")).toBe(false);
  });

  test("go: go.mod and package main at the root", () => {
    expect(kindOf({ "go.mod": "module x\n\ngo 1.19\n", "main.go": "package main\nfunc main() {}\n" })).toBe("go");
    expect(kindOf({ "go.mod": "module x\n", "lib.go": "package lib\n" })).toBe("problem:no-main-package");
    expect(kindOf({ "go.mod": "module x\n", "main_test.go": "package main\n" })).toBe("problem:no-main-package");
  });

  test("go.mod's requirements, in both forms, comments ignored", () => {
    expect(goRequires("module x\n\ngo 1.19\n// require example.com/c v1\n")).toEqual([]);
    expect(goRequires("module x\nrequire github.com/a/b v1.2.3\nrequire (\n\tgolang.org/x/net v0.1.0 // indirect\n\texample.com/y v1\n)\n").sort()).toEqual([
      "example.com/y",
      "github.com/a/b",
      "golang.org/x/net",
    ]);
  });

  test("static: index.html and nothing else that runs", () => {
    expect(kindOf({ "index.html": "<h1>hi</h1>", "style.css": "" })).toBe("static");
    // package.json wins over index.html (a node app with a page)
    expect(kindOf({ "index.html": "", "package.json": pkg({ scripts: { start: "node s.js" } }) })).toBe("node");
  });

  test("convergence.json names the kind outright; a bad one is refused", () => {
    expect(kindOf({ "convergence.json": pkg({ kind: "static" }), "index.html": "", "package.json": pkg({}) })).toBe("static");
    expect(kindOf({ "convergence.json": pkg({ kind: "bun" }), "package.json": pkg({}), "index.ts": "" })).toBe("bun");
    expect(kindOf({ "convergence.json": pkg({ kind: "ruby" }), "index.html": "" })).toBe("problem:bad-manifest");
    expect(kindOf({ "convergence.json": "nope", "index.html": "" })).toBe("problem:bad-manifest");
    expect(kindOf({ "convergence.json": pkg({ kind: "python" }), "index.html": "" })).toBe("problem:no-asgi-app");
  });

  test("none of the kinds: a clear refusal listing them", () => {
    const d = detectApp(files({ "README.md": "", Gemfile: "" }));
    expect("problem" in d && d.problem.reason).toBe("unknown-kind");
    for (const kind of ["node", "bun", "python", "go", "static"]) expect("problem" in d && d.problem.message).toContain(kind);
    // JavaScript without its package.json keeps its old, more precise reason.
    expect(kindOf({ "server.js": "" })).toBe("problem:no-package-json");
  });
});

describe("Dockerfiles", () => {
  test("python checks requirements.txt inside the build and runs uvicorn on the port", () => {
    const d = pythonDockerfile({ baseImage: "py:1", module: "main", containerPort: 3000 });
    expect(d).toContain("FROM py:1");
    expect(d).toContain("/app/requirements.txt");
    expect(d).toContain('CMD ["python3","-m","uvicorn","main:app","--host","0.0.0.0","--port","3000"]');
    expect(d).toContain("USER 1000:1000");
    // The build echoes each step: the refusal marker must only appear in what the check prints.
    expect(d).not.toContain(refusalMarker);
  });

  test("go compiles offline and static in a builder stage, runs the binary alone", () => {
    const d = goDockerfile({ builderImage: "gob:1", baseImage: "static:1", containerPort: 3000 });
    for (const v of ["CGO_ENABLED=0", "GOPROXY=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local"]) expect(d).toContain(v);
    expect(d.split("\n").filter((l) => l.startsWith("FROM"))).toEqual(["FROM gob:1 AS build", "FROM static:1"]);
    expect(d).toContain('CMD ["/convergence-app"]');
  });

  test("static serves the files as public/ with the template's server", () => {
    const d = staticDockerfile({ serverImage: "tpl:1", baseImage: "static:1", containerPort: 3000 });
    expect(d).toContain("COPY --from=server /app/server /app/server");
    expect(d).toContain("COPY app/ /app/public/");
  });
});
