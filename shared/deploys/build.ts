/**
 * Builds an uploaded app into an image without running any of its code on the host
 * (docs/deploys.md). The archive is read again through the same checks as the API's and re-packed
 * (in memory, never extracted to disk) into a Docker build context: the app under `app/` and a
 * Dockerfile of the platform's. Dependencies, when there are any, are installed by npm INSIDE the
 * build, in a throwaway build container from the builder image (the tenant base image plus the
 * worker's own npm), with `--ignore-scripts`: no package script runs anywhere, the build container
 * has DEPLOY_BUILD_MEMORY_MB / DEPLOY_BUILD_CPUS, and the build is stopped after
 * DEPLOY_BUILD_TIMEOUT_S. The image the app runs in is the base image plus /app: no npm, no shell.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import tarFs from "tar-fs";
import tarStream from "tar-stream";
import type { WorkerContext } from "../context.js";
import { labelKeys, type RevisionRuntime } from "../runtime/types.js";
import { readArchive, type CheckedArchive } from "./archive.js";
import { deployOf } from "./images.js";
import { languageDockerfile, refusalMarker } from "./recipes/index.js";

/** The image of a deployment: the instance and the deployment's own id make it unique (a rebuilt test database starts envIds at 1 again). */
export const deployImageTag = (instance: string, envId: number, revision: number, deploymentId: number) => `convergence-deploy-${envId}:r${revision}-${instance}-${deploymentId}`;

/** The npm the worker runs with: copied into the builder image (the base image has none). */
function npmDir(): string {
  const candidates = [join(dirname(process.execPath), "..", "lib", "node_modules", "npm"), "/usr/lib/node_modules/npm", "/usr/local/lib/node_modules/npm"];
  const found = candidates.find((d) => existsSync(join(d, "bin", "npm-cli.js")));
  if (!found) throw new Error("no npm found next to this Node.js to put into the builder image");
  return found;
}

function caBundle(ctx: WorkerContext): Buffer | null {
  const file = ctx.config.DEPLOY_BUILD_CA_FILE || process.env.NODE_EXTRA_CA_CERTS || "";
  return file && existsSync(file) ? readFileSync(file) : null;
}

/** The builder image (base image + npm + the CA the egress needs), built once per content. */
async function ensureBuilder(ctx: WorkerContext, revisions: RevisionRuntime, onLog: (t: string) => void): Promise<string> {
  const npm = npmDir();
  const version = (JSON.parse(readFileSync(join(npm, "package.json"), "utf8")) as { version: string }).version;
  const ca = caBundle(ctx);
  const hash = createHash("sha256")
    .update(ctx.config.TENANT_BASE_IMAGE)
    .update(version)
    .update(ca ?? "")
    .digest("hex")
    .slice(0, 12);
  const tag = `convergence-deploy-builder:${hash}`;
  if (await revisions.imageExists(tag)) return tag;
  onLog(`building the builder image ${tag} (npm ${version})\n`);
  const dockerfile = [
    `FROM ${ctx.config.TENANT_BASE_IMAGE}`,
    "COPY npm /opt/npm",
    ...(ca ? ["COPY ca.crt /etc/convergence-build-ca.crt", "ENV NODE_EXTRA_CA_CERTS=/etc/convergence-build-ca.crt"] : []),
    "ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false",
  ].join("\n");
  const context = tarFs.pack(npm, {
    map: (h) => ({ ...h, name: `npm/${h.name}` }),
    finalize: false,
    finish: (pack) => {
      pack.entry({ name: "Dockerfile" }, dockerfile);
      if (ca) pack.entry({ name: "ca.crt" }, ca);
      pack.finalize();
    },
  });
  await revisions.build({
    context,
    tag,
    labels: {},
    memoryMb: ctx.config.DEPLOY_BUILD_MEMORY_MB,
    cpus: ctx.config.DEPLOY_BUILD_CPUS,
    timeoutMs: ctx.config.DEPLOY_BUILD_TIMEOUT_S * 1000,
    onLog,
  });
  return tag;
}

/** The Dockerfile of an app image: install (if needed) in the builder, run on the bare base image. */
export function appDockerfile(args: { baseImage: string; builderImage: string | null; checked: Pick<CheckedArchive, "command" | "hasLockfile">; containerPort: number }): string {
  const run = (argv: string[]) => JSON.stringify(argv);
  const install = args.checked.hasLockfile ? ["ci", "--omit=dev"] : ["install", "--omit=dev", "--no-package-lock"];
  const lines = args.builderImage
    ? [
        `FROM ${args.builderImage} AS build`,
        "WORKDIR /app",
        "COPY app/ /app/",
        `RUN ${run(["node", "/opt/npm/bin/npm-cli.js", ...install, "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=warn"])}`,
        `FROM ${args.baseImage}`,
        "WORKDIR /app",
        "COPY --from=build /app /app",
      ]
    : [`FROM ${args.baseImage}`, "WORKDIR /app", "COPY app/ /app/"];
  return [...lines, `ENV NODE_ENV=production PORT=${args.containerPort}`, "USER 1000:1000", `EXPOSE ${args.containerPort}`, `CMD ${run(args.checked.command)}`, ""].join("\n");
}

/** Builds the archive into `tag`; throws with the reason (the log has the build's output). */
export async function buildAppImage(
  ctx: WorkerContext,
  args: { envId: number; revision: number; deploymentId: number; archive: Buffer; containerPort: number; onLog: (text: string) => void },
): Promise<string> {
  const revisions = ctx.runtime.revisions;
  if (!revisions) throw new Error("this container runtime cannot build deploys yet (CONVERGENCE_RUNTIME=docker can)");
  const tag = deployImageTag(ctx.config.CONVERGENCE_INSTANCE, args.envId, args.revision, args.deploymentId);
  const pack = tarStream.pack();
  const checked = await readArchive(args.archive, { maxFiles: ctx.config.DEPLOY_MAX_FILES, maxBytes: ctx.config.DEPLOY_MAX_BYTES }, (e) => {
    const name = `app/${e.path}`;
    const mode = e.type === "directory" ? 0o755 : e.mode & 0o111 ? 0o755 : 0o644;
    if (e.type === "file") pack.entry({ name, mode, type: "file" }, e.data ?? Buffer.alloc(0));
    else if (e.type === "directory") pack.entry({ name, mode, type: "directory" });
    else if (e.type === "symlink") pack.entry({ name, type: "symlink", linkname: e.linkname ?? "" });
    else pack.entry({ name, type: "link", linkname: `app/${e.linkname ?? ""}` });
  });
  args.onLog(`archive checked: ${checked.entries} entries; a ${checked.app.kind} app${checked.command.length ? `; it starts with ${checked.command.join(" ")}` : ""}\n`);
  if (!checked.needsInstall && (checked.app.kind === "node" || checked.app.kind === "bun")) args.onLog("no dependencies to install\n");
  // Each kind's Dockerfile (./recipes): node's is appDockerfile on the Node base, as it always was.
  const dockerfile = await languageDockerfile(ctx, revisions, checked, {
    containerPort: args.containerPort,
    onLog: args.onLog,
    nodeBuilder: () => ensureBuilder(ctx, revisions, args.onLog),
    nodeDockerfile: (baseImage, builderImage) => appDockerfile({ baseImage, builderImage, checked, containerPort: args.containerPort }),
  });
  pack.entry({ name: "Dockerfile" }, dockerfile);
  pack.finalize();
  // A check inside the build (python's requirements) prints why it refused: that is the reason.
  let refusal: string | null = null;
  const onLog = (text: string) => {
    const at = text.indexOf(refusalMarker);
    if (at >= 0) refusal = (text.slice(at + refusalMarker.length).split("\n")[0] ?? "").trim();
    args.onLog(text);
  };
  try {
    await revisions.build({
      context: pack,
      tag,
      labels: { [labelKeys.deployOf]: deployOf(ctx.config.CONVERGENCE_INSTANCE, args.envId) },
      memoryMb: ctx.config.DEPLOY_BUILD_MEMORY_MB,
      cpus: ctx.config.DEPLOY_BUILD_CPUS,
      timeoutMs: ctx.config.DEPLOY_BUILD_TIMEOUT_S * 1000,
      onLog,
    });
  } catch (err) {
    if (refusal) throw new Error(refusal);
    throw err;
  }
  return tag;
}
