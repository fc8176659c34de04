/**
 * What kind of app a deploy archive holds, from its root-level files alone (docs/deploys.md,
 * "Languages"). Pure: the API and the worker both call it on the checked archive, and the unit
 * tests (tests/unit/deploy-recipes.test.ts) pin every rule.
 *
 * In order:
 * 1. `convergence.json` with `{"kind": "node"|"bun"|"python"|"go"|"static"}` decides outright.
 * 2. `package.json`: bun when there is a `bun.lockb`/`bun.lock`, an `engines.bun`, or a start
 *    script beginning with `bun `; node otherwise (today's rules, unchanged).
 * 3. `go.mod` and a root `.go` file declaring `package main`: go.
 * 4. `main.py` or `app.py` that assigns a module-level `app`: python (served by uvicorn).
 * 5. `index.html`: static.
 */
export const appKinds = ["node", "bun", "python", "go", "static"] as const;
export type AppKind = (typeof appKinds)[number];

export type Detected = { kind: "node" } | { kind: "bun"; command: string[] } | { kind: "python"; module: "main" | "app" } | { kind: "go" } | { kind: "static" };

export interface DetectProblem {
  problem: { reason: "unknown-kind" | "no-package-json" | "bad-package-json" | "no-start-script" | "bad-manifest" | "no-asgi-app" | "no-main-package"; message: string; entry?: string };
}

export const kindsHelp =
  'node (package.json with a start script), bun (package.json plus bun.lockb/bun.lock or engines.bun), python (main.py or app.py defining an ASGI `app`), go (go.mod and a root .go file with package main), static (index.html at the root); or name the kind in convergence.json: {"kind": "..."}';

const text = (b: Buffer | undefined) => (b ? b.toString("utf8") : "");

function parseObject(b: Buffer | undefined): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text(b));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/** A bun start command run without a shell: `bun <file> [args]` from scripts.start, else the first entry file found. */
export function bunCommand(pkg: Record<string, unknown>, files: ReadonlyMap<string, Buffer>): string[] | null {
  const start = (pkg.scripts as Record<string, unknown> | undefined)?.start;
  if (typeof start === "string") {
    if (/[|&;<>()$`"'\\*?{}[\]~\n]/.test(start)) return null;
    const words = start.trim().split(/\s+/);
    if (words[0] === "bun" && words[1] === "run" && words.length >= 3) return ["bun", ...words.slice(2)];
    if ((words[0] === "bun" || words[0] === "node") && words.length >= 2) return ["bun", ...words.slice(1)];
    return null;
  }
  if (start !== undefined) return null;
  const module = typeof pkg.module === "string" ? pkg.module : typeof pkg.main === "string" ? pkg.main : null;
  if (module && /^[\w./-]+$/.test(module) && !module.includes("..")) return ["bun", module];
  const entry = ["index.ts", "server.ts", "index.js", "server.js"].find((f) => files.has(f));
  return entry ? ["bun", entry] : null;
}

/** Whether python source assigns a module-level `app` (`app = FastAPI()`, `app: Starlette = …`). */
export function definesAsgiApp(source: string): boolean {
  return /^app\s*(:[^=\n]+)?=(?!=)/m.test(source);
}

/** go.mod's `require`d modules (block and single-line forms); empty for a standard-library-only module. */
export function goRequires(goMod: string): string[] {
  const out: string[] = [];
  const noComments = goMod.replace(/\/\/[^\n]*/g, "");
  for (const m of noComments.matchAll(/^\s*require\s*\(([\s\S]*?)\)/gm)) {
    for (const line of (m[1] ?? "").split("\n")) if (line.trim()) out.push(line.trim().split(/\s+/)[0] ?? "");
  }
  for (const m of noComments.matchAll(/^\s*require\s+([^\s(]+)/gm)) out.push(m[1] ?? "");
  return out;
}

/** The kind of app `files` (root-level file name → content) holds, or why none. */
export function detectApp(files: ReadonlyMap<string, Buffer>): Detected | DetectProblem {
  let kind: AppKind | null = null;
  if (files.has("convergence.json")) {
    const manifest = parseObject(files.get("convergence.json"));
    const k = manifest?.kind;
    if (!manifest || (k !== undefined && !appKinds.includes(k as AppKind))) {
      return { problem: { reason: "bad-manifest", message: `convergence.json must be a JSON object whose "kind" is one of ${appKinds.join(", ")}`, entry: "convergence.json" } };
    }
    kind = (k as AppKind | undefined) ?? null;
  }
  const pkgRaw = files.get("package.json");
  const pkg = pkgRaw ? parseObject(pkgRaw) : null;
  if (!kind && pkgRaw) {
    const engines = pkg?.engines as Record<string, unknown> | undefined;
    const start = (pkg?.scripts as Record<string, unknown> | undefined)?.start;
    const bun = files.has("bun.lockb") || files.has("bun.lock") || (engines && typeof engines === "object" && "bun" in engines) || (typeof start === "string" && /^\s*bun\s/.test(start));
    kind = bun ? "bun" : "node";
  }
  if (!kind && files.has("go.mod")) kind = "go";
  if (!kind && (files.has("main.py") || files.has("app.py"))) kind = "python";
  if (!kind && files.has("index.html")) kind = "static";
  if (!kind) {
    // An archive of JavaScript without its package.json: say what is missing, as before.
    const js = [...files.keys()].some((f) => /\.(c|m)?[jt]s$/.test(f));
    return {
      problem: js
        ? { reason: "no-package-json", message: "the archive has no package.json at its root (pack the app's directory itself)" }
        : { reason: "unknown-kind", message: `the archive's root holds no app this platform can run; it deploys: ${kindsHelp}` },
    };
  }
  switch (kind) {
    case "node":
      if (!pkgRaw) return { problem: { reason: "no-package-json", message: "the archive has no package.json at its root (pack the app's directory itself)" } };
      return { kind };
    case "bun": {
      if (!pkgRaw) return { problem: { reason: "no-package-json", message: "a bun app needs a package.json at its root" } };
      if (!pkg) return { problem: { reason: "bad-package-json", message: "package.json is not a JSON object", entry: "package.json" } };
      const command = bunCommand(pkg, files);
      if (!command) {
        return {
          problem: {
            reason: "no-start-script",
            message: 'a bun app needs a start script of the form "bun <file> [args]" (no shell operators), a "module"/"main" field, or an index.ts/server.ts/index.js/server.js',
            entry: "package.json",
          },
        };
      }
      return { kind, command };
    }
    case "python": {
      const module = (["main", "app"] as const).find((m) => definesAsgiApp(text(files.get(`${m}.py`))));
      if (!module) return { problem: { reason: "no-asgi-app", message: "a python app needs main.py or app.py that defines a module-level ASGI `app` (e.g. app = FastAPI())" } };
      return { kind, module };
    }
    case "go": {
      if (!files.has("go.mod")) return { problem: { reason: "no-main-package", message: "a go app needs a go.mod at its root" } };
      const main = [...files].some(([f, b]) => f.endsWith(".go") && !f.endsWith("_test.go") && /^\s*package\s+main\b/m.test(text(b)));
      if (!main) return { problem: { reason: "no-main-package", message: "a go app needs a .go file declaring `package main` at its root, next to go.mod" } };
      return { kind };
    }
    case "static":
      if (!files.has("index.html")) return { problem: { reason: "unknown-kind", message: "a static site needs an index.html at the archive's root" } };
      return { kind };
  }
}
