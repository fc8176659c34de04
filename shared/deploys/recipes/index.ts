/**
 * How each kind of app (./detect.ts) becomes an image (docs/deploys.md, "Languages"). Every step
 * that touches the user's files runs in a throwaway build container with the deploy build limits;
 * nothing of the user's runs on the worker's host. The node kind stays in ../build.ts, unchanged.
 *
 * - bun: dependencies installed by npm in the node builder (`--ignore-scripts`), run with `bun`
 *   on BUN_BASE_IMAGE.
 * - python: requirements.txt is checked inside the build against the distributions installed in
 *   PYTHON_BASE_IMAGE (there is no package index to install from); anything else fails the build
 *   with the list of what is there. Run with `python3 -m uvicorn <module>:app` on the port.
 * - go: standard library only (a go.mod with a `require` fails the build); compiled in a Go builder
 *   image (PYTHON_BASE_IMAGE for its C library + the worker's Go toolchain) with CGO_ENABLED=0,
 *   GOPROXY=off, GOFLAGS=-mod=mod, GOTOOLCHAIN=local into a static binary on GO_BASE_IMAGE.
 * - static: the files under public/ of the static/html template's server (which answers /health).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import tarFs from "tar-fs";
import type { WorkerContext } from "../../context.js";
import type { RevisionRuntime } from "../../runtime/types.js";
import { baseImageOf } from "../../templates.js";
import type { CheckedArchive } from "../archive.js";
import { goRequires } from "./detect.js";

const run = (argv: string[]) => JSON.stringify(argv);

/** A refusal the build itself prints on one line: the worker turns it into the deployment's reason. */
export const refusalMarker = "CONVERGENCE-REFUSED: ";

/**
 * Checks requirements.txt (when there is one) and uvicorn against the installed distributions
 * (names normalised as PEP 503 says; `==` pins must match the installed version). Runs inside the
 * build, on the base image's python: a base without uvicorn refuses every app, saying so.
 */
export const pythonRequirementsCheck = `
import os, re, sys, importlib.metadata as m
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
have = {}
for d in m.distributions():
    name = d.metadata["Name"]
    if name: have[norm(name)] = d.version
refused = [] if "uvicorn" in have else ["uvicorn (the server that runs the app)"]
lines = open(sys.argv[1], encoding="utf-8").read().splitlines() if os.path.exists(sys.argv[1]) else []
for raw in lines:
    line = raw.split("#", 1)[0].strip()
    if not line: continue
    if line.startswith("-") or "://" in line or line.startswith((".", "/")):
        refused.append(line); continue
    name = re.split(r"[\\s<>=!~;\\[@(]", line, 1)[0]
    pin = re.search(r"==\\s*([^\\s,;]+)", line)
    got = have.get(norm(name))
    if got is None: refused.append(name)
    elif pin and pin.group(1) != got and not pin.group(1).endswith("*"): refused.append(name + "==" + pin.group(1) + " (the base has " + got + ")")
if refused:
    # The marker is put together here so that the build's echo of this step never carries it.
    print("${refusalMarker.slice(0, 11)}" + "${refusalMarker.slice(11)}the app needs " + ", ".join(refused) + " (requirements.txt), which the Python base image does not have (packages cannot be downloaded); available: " + ", ".join(k + "==" + v for k, v in sorted(have.items())), flush=True)
    sys.exit(1)
print("requirements: every package is in the base image")
`;

export function pythonDockerfile(args: { baseImage: string; module: "main" | "app"; containerPort: number }): string {
  return [
    `FROM ${args.baseImage}`,
    "WORKDIR /app",
    "COPY app/ /app/",
    "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1",
    `RUN ${run(["python3", "-c", pythonRequirementsCheck, "/app/requirements.txt"])}`,
    `ENV PORT=${args.containerPort}`,
    "USER 1000:1000",
    `EXPOSE ${args.containerPort}`,
    `CMD ${run(["python3", "-m", "uvicorn", `${args.module}:app`, "--host", "0.0.0.0", "--port", String(args.containerPort)])}`,
    "",
  ].join("\n");
}

export function goDockerfile(args: { builderImage: string; baseImage: string; containerPort: number }): string {
  return [
    `FROM ${args.builderImage} AS build`,
    "WORKDIR /src",
    "COPY app/ /src/",
    "ENV CGO_ENABLED=0 GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local GOSUMDB=off GOCACHE=/tmp/go-cache GOPATH=/tmp/go HOME=/tmp",
    `RUN ${run(["go", "build", "-trimpath", "-ldflags=-s -w", "-o", "/out/app", "."])}`,
    `FROM ${args.baseImage}`,
    "WORKDIR /app",
    "COPY app/ /app/",
    "COPY --from=build /out/app /convergence-app",
    `ENV PORT=${args.containerPort}`,
    "USER 1000:1000",
    `EXPOSE ${args.containerPort}`,
    `CMD ${run(["/convergence-app"])}`,
    "",
  ].join("\n");
}

export function staticDockerfile(args: { serverImage: string; baseImage: string; containerPort: number }): string {
  return [
    `FROM ${args.serverImage} AS server`,
    `FROM ${args.baseImage}`,
    "WORKDIR /app",
    "COPY --from=server /app/server /app/server",
    "COPY app/ /app/public/",
    `ENV PORT=${args.containerPort}`,
    "USER 1000:1000",
    `EXPOSE ${args.containerPort}`,
    `CMD ${run(["/app/server"])}`,
    "",
  ].join("\n");
}

/** The worker's Go installation, copied into the Go builder image (never run on the host). */
function goRoot(): string {
  for (const dir of ["/usr/lib/go", "/usr/local/go"]) {
    if (existsSync(join(dir, "bin", "go"))) return realpathSync(dir);
  }
  throw new Error("there is no Go toolchain on this worker (apt-get install golang-go) to put into the Go builder image");
}

/**
 * The Go builder image: DEPLOY_GO_BUILDER_IMAGE when set, else the Python base's C library + the
 * worker's Go toolchain, built once per content (offline: no registry, no Debian archive at deploy time).
 */
async function ensureGoBuilder(ctx: WorkerContext, revisions: RevisionRuntime, onLog: (t: string) => void): Promise<string> {
  if (ctx.config.DEPLOY_GO_BUILDER_IMAGE) return ctx.config.DEPLOY_GO_BUILDER_IMAGE;
  const root = goRoot();
  const version = (readFileSync(join(root, "VERSION"), "utf8").split("\n")[0] ?? "").trim();
  const hash = createHash("sha256").update(ctx.config.PYTHON_BASE_IMAGE).update(root).update(version).digest("hex").slice(0, 12);
  const tag = `convergence-deploy-go-builder:${hash}`;
  if (await revisions.imageExists(tag)) return tag;
  onLog(`building the Go builder image ${tag} (${version}; once per worker toolchain)\n`);
  const dockerfile = [`FROM ${ctx.config.PYTHON_BASE_IMAGE}`, "COPY go /usr/local/go", "ENV PATH=/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin GOROOT=/usr/local/go"].join("\n");
  // Not needed to build user code: tests, docs, the toolchain's own sources and archives.
  const skip = /^(test|misc|doc|api|src\/cmd|pkg\/linux_amd64\/cmd|pkg\/linux_amd64_race)(\/|$)|\/testdata(\/|$)/;
  const context = tarFs.pack(root, {
    dereference: true,
    ignore: (name) => skip.test(name.slice(root.length + 1)),
    map: (h) => ({ ...h, name: `go/${h.name}` }),
    finalize: false,
    finish: (pack) => {
      pack.entry({ name: "Dockerfile" }, dockerfile);
      pack.finalize();
    },
  });
  await revisions.build({
    context,
    tag,
    labels: {},
    memoryMb: Math.max(ctx.config.DEPLOY_BUILD_MEMORY_MB, 512),
    cpus: ctx.config.DEPLOY_BUILD_CPUS,
    timeoutMs: Math.max(ctx.config.DEPLOY_BUILD_TIMEOUT_S, 600) * 1000,
    onLog,
  });
  return tag;
}

/**
 * The Dockerfile for a non-node kind, after the checks that need no build (a Go `require`).
 * `nodeBuilder` is ../build.ts's npm builder (for bun's dependencies); throws with the reason.
 */
export async function languageDockerfile(
  ctx: WorkerContext,
  revisions: RevisionRuntime,
  checked: CheckedArchive,
  args: { containerPort: number; onLog: (t: string) => void; nodeBuilder: () => Promise<string>; nodeDockerfile: (baseImage: string, builderImage: string | null) => string },
): Promise<string> {
  const app = checked.app;
  switch (app.kind) {
    case "node":
      return args.nodeDockerfile(ctx.config.TENANT_BASE_IMAGE, checked.needsInstall ? await args.nodeBuilder() : null);
    case "bun":
      args.onLog(`bun app; starts with ${checked.command.join(" ")}\n`);
      return args.nodeDockerfile(ctx.config.BUN_BASE_IMAGE, checked.needsInstall ? await args.nodeBuilder() : null);
    case "python": {
      args.onLog(`python app; uvicorn serves ${app.module}:app\n`);
      return pythonDockerfile({ baseImage: ctx.config.PYTHON_BASE_IMAGE, module: app.module, containerPort: args.containerPort });
    }
    case "go": {
      const requires = goRequires(checked.rootFiles.get("go.mod")?.toString("utf8") ?? "");
      if (requires.length) throw new Error(`go.mod requires ${requires.join(", ")}: only the Go standard library is available (modules cannot be downloaded)`);
      args.onLog("go app; compiling with the standard library only (CGO_ENABLED=0, GOPROXY=off)\n");
      return goDockerfile({ builderImage: await ensureGoBuilder(ctx, revisions, args.onLog), baseImage: ctx.config.GO_BASE_IMAGE, containerPort: args.containerPort });
    }
    case "static": {
      const template = ctx.templates.list().find((t) => t.base === "static");
      if (!template) throw new Error("no static template is installed on this worker to serve the site");
      args.onLog(`static site; served by the ${template.id} template's server\n`);
      const serverImage = await ctx.runtime.ensureImage(template, baseImageOf(ctx.config, template));
      return staticDockerfile({ serverImage, baseImage: ctx.config.STATIC_BASE_IMAGE, containerPort: args.containerPort });
    }
  }
}
