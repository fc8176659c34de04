/**
 * Deploy archives (`.tar.gz` of a Node app), checked in memory before anything is written
 * (docs/deploys.md): gunzip and read the tar headers, refuse entries that could land outside the
 * build directory (`..`, absolute paths, links pointing out of the tree), device files and fifos,
 * too many entries, a missing package.json or one without a start command the platform can run
 * without a shell. Nothing is ever extracted on the API host: the worker re-reads the same archive
 * through the same checks into a Docker build context (./build.ts).
 */
import { posix } from "node:path";
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import tarStream from "tar-stream";
import { type Detected, detectApp } from "./recipes/detect.js";

export type ArchiveProblem =
  | "not-gzip"
  | "not-tar"
  | "unsafe-path"
  | "link-outside"
  | "special-file"
  | "too-many-files"
  | "too-large"
  | "no-package-json"
  | "bad-package-json"
  | "no-start-script"
  | "unknown-kind"
  | "bad-manifest"
  | "no-asgi-app"
  | "no-main-package";

export class ArchiveError extends Error {
  constructor(
    readonly reason: ArchiveProblem,
    message: string,
    readonly entry?: string,
  ) {
    super(message);
  }
}

export interface ArchiveEntry {
  /** The entry's path, normalised and relative to the app's root (no leading `./`). */
  path: string;
  type: "file" | "directory" | "symlink" | "link";
  mode: number;
  linkname?: string;
  /** A file's content. */
  data?: Buffer;
}

export interface CheckedArchive {
  entries: number;
  /** What kind of app it is (./recipes/detect.ts); node keeps the fields below as they were. */
  app: Detected;
  /** The root-level files and their contents (what the recipes look at: requirements.txt, go.mod…). */
  rootFiles: ReadonlyMap<string, Buffer>;
  /** What the container runs, without a shell: `node` and its arguments. */
  command: string[];
  /** Whether `npm install` has anything to do (dependencies or a lock file). */
  needsInstall: boolean;
  hasLockfile: boolean;
}

/** The largest unpacked size, as a multiple of the archive's limit: a gzip bomb stops here. */
const MAX_EXPANSION = 20;

/**
 * Whether a (normalised) path stays inside the tree; `path` as the tar header gives it. Pure, for
 * the unit tests: the whole safety of an archive rests on it.
 */
export function safeRelativePath(raw: string): string | null {
  if (raw.includes("\0") || raw.includes("\\")) return null;
  if (raw.startsWith("/") || /^[a-zA-Z]:/.test(raw)) return null;
  const parts = raw.split("/");
  if (parts.includes("..")) return null;
  const normal = posix.normalize(raw).replace(/\/+$/, "");
  if (normal === "." || normal === "") return "";
  if (normal.startsWith("../") || normal === ".." || normal.startsWith("/")) return null;
  return normal.replace(/^\.\//, "");
}

/** Whether a symbolic link at `at` pointing to `target` stays inside the tree. */
export function linkStaysInside(at: string, target: string): boolean {
  if (target.startsWith("/") || target.includes("\0")) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(at), target));
  return !(resolved === ".." || resolved.startsWith("../") || resolved.startsWith("/"));
}

/**
 * The command that starts the app: `scripts.start` when it is `node <args>` (no shell
 * operators: the image has no shell), else npm's own default `node server.js` when there is one.
 */
export function startCommand(pkg: { scripts?: Record<string, unknown> }, files: Set<string>): string[] | null {
  const start = pkg.scripts?.start;
  if (start === undefined) return files.has("server.js") ? ["node", "server.js"] : null;
  if (typeof start !== "string") return null;
  if (/[|&;<>()$`"'\\*?{}[\]~\n]/.test(start)) return null;
  const words = start.trim().split(/\s+/);
  if (words[0] !== "node" || words.length < 2) return null;
  return words;
}

/** Reads every entry of the archive through the checks; `onEntry` sees each accepted one (in order). */
export async function readArchive(archive: Buffer, opts: { maxFiles: number; maxBytes: number }, onEntry?: (entry: ArchiveEntry) => void): Promise<CheckedArchive> {
  let tar: Buffer;
  try {
    tar = gunzipSync(archive, { maxOutputLength: opts.maxBytes * MAX_EXPANSION });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw new ArchiveError("too-large", `the archive unpacks to more than ${MAX_EXPANSION}× its size limit`);
    throw new ArchiveError("not-gzip", "the body is not a gzip stream (send a .tar.gz)");
  }
  if (tar.length < 512) throw new ArchiveError("not-tar", "the gzip stream does not hold a tar archive");
  const files = new Set<string>();
  const rootFiles = new Map<string, Buffer>();
  let packageJson: Buffer | null = null;
  let entries = 0;
  await new Promise<void>((resolve, reject) => {
    const extract = tarStream.extract();
    const fail = (err: Error) => {
      extract.destroy();
      reject(err);
    };
    extract.on("entry", (header, stream, next) => {
      entries++;
      if (entries > opts.maxFiles) return fail(new ArchiveError("too-many-files", `the archive has more than ${opts.maxFiles} entries`));
      const name = header.name;
      const path = safeRelativePath(name);
      if (path === null) return fail(new ArchiveError("unsafe-path", `entry ${JSON.stringify(name)} points outside the app's directory`, name));
      const type = header.type;
      if (type === "character-device" || type === "block-device" || type === "fifo") {
        return fail(new ArchiveError("special-file", `entry ${JSON.stringify(name)} is a ${type}; only files, directories and links inside the tree are accepted`, name));
      }
      if (type === "symlink" && !linkStaysInside(path, header.linkname ?? "")) {
        return fail(new ArchiveError("link-outside", `symbolic link ${JSON.stringify(name)} points outside the app's directory`, name));
      }
      if (type === "link" && safeRelativePath(header.linkname ?? "") === null) {
        return fail(new ArchiveError("link-outside", `hard link ${JSON.stringify(name)} points outside the app's directory`, name));
      }
      const kind = type === "file" || type === "contiguous-file" ? "file" : type === "directory" ? "directory" : type === "symlink" ? "symlink" : type === "link" ? "link" : null;
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (kind && path !== "") {
          const data = kind === "file" ? Buffer.concat(chunks) : undefined;
          if (kind === "file") files.add(path);
          if (path === "package.json" && data) packageJson = data;
          if (data && !path.includes("/")) rootFiles.set(path, data);
          onEntry?.({ path, type: kind, mode: header.mode ?? 0o644, linkname: header.linkname ?? undefined, data });
        }
        next();
      });
      stream.resume();
    });
    extract.on("finish", resolve);
    extract.on("error", (err: Error) => reject(err instanceof ArchiveError ? err : new ArchiveError("not-tar", `the archive is not a valid tar: ${err.message}`)));
    Readable.from([tar]).pipe(extract);
  });
  if (entries === 0) throw new ArchiveError("not-tar", "the archive is empty");
  const app = detectApp(rootFiles);
  if ("problem" in app) throw new ArchiveError(app.problem.reason, app.problem.message, app.problem.entry);
  if (app.kind === "bun") return { entries, app, rootFiles, command: app.command, hasLockfile: files.has("package-lock.json"), needsInstall: needsNpmInstall(packageJson, files) };
  if (app.kind !== "node") return { entries, app, rootFiles, command: [], hasLockfile: false, needsInstall: false };
  if (!packageJson) throw new ArchiveError("no-package-json", "the archive has no package.json at its root (pack the app's directory itself)");
  let pkg: { scripts?: Record<string, unknown>; dependencies?: Record<string, unknown> };
  try {
    pkg = JSON.parse((packageJson as Buffer).toString("utf8"));
    if (typeof pkg !== "object" || pkg === null || Array.isArray(pkg)) throw new Error("not an object");
  } catch {
    throw new ArchiveError("bad-package-json", "package.json is not a JSON object", "package.json");
  }
  const command = startCommand(pkg, files);
  if (!command) {
    throw new ArchiveError(
      "no-start-script",
      'package.json needs a start script of the form "node <file> [args]" (no shell operators: the app runs without a shell), or a server.js',
      "package.json",
    );
  }
  const hasLockfile = files.has("package-lock.json");
  return { entries, app, rootFiles, command, hasLockfile, needsInstall: hasLockfile || Object.keys(pkg.dependencies ?? {}).length > 0 };
}

function needsNpmInstall(packageJson: Buffer | null, files: Set<string>): boolean {
  if (files.has("package-lock.json")) return true;
  try {
    const deps = (JSON.parse(packageJson?.toString("utf8") ?? "{}") as { dependencies?: Record<string, unknown> }).dependencies;
    return Object.keys(deps ?? {}).length > 0;
  } catch {
    return false;
  }
}
