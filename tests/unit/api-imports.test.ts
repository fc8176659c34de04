/**
 * The API process never loads a container engine's client: it talks to Docker only through
 * workers (the design brief, §1; docs/architecture.md). Walks the module graph the API entry point loads at run time, following
 * every import that survives compilation (`import type` and `export type` are erased; with
 * verbatimModuleSyntax an `import { type X }` still loads its module, so it is followed).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../shared/config.js";

interface Graph {
  /** Project files reached, relative to the project root. */
  files: Set<string>;
  /** Packages imported by those files (bare specifiers, e.g. "dockerode", "node:fs"). */
  packages: Set<string>;
}

function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const specifiers: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) specifiers.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

function moduleGraph(entry: string): Graph {
  const graph: Graph = { files: new Set(), packages: new Set() };
  const pending = [resolve(projectRoot, entry)];
  while (pending.length) {
    const file = pending.pop()!;
    const rel = relative(projectRoot, file);
    if (graph.files.has(rel)) continue;
    graph.files.add(rel);
    for (const spec of runtimeImports(file)) {
      if (!spec.startsWith(".")) {
        graph.packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
        continue;
      }
      const target = resolve(dirname(file), spec.replace(/\.js$/, ".ts"));
      if (!existsSync(target)) throw new Error(`${rel} imports ${spec}, which does not resolve to a .ts file`);
      pending.push(target);
    }
  }
  return graph;
}

const isRuntimeModule = (file: string) => file.startsWith(join("shared", "runtime") + "/");

describe("the API's module graph", () => {
  it("reaches no container runtime module and no dockerode, while the worker's does", () => {
    const api = moduleGraph("api/main.ts");
    // The walk works: it reaches the app, the routes and the shared verbs they call.
    expect([...api.files]).toEqual(expect.arrayContaining(["api/app.ts", "api/routes/spawn.ts", "shared/jobs.ts", "shared/tenants/spawn.ts"]));
    expect(api.packages).toContain("bullmq");

    expect([...api.files].filter(isRuntimeModule)).toEqual([]);
    expect([...api.packages].filter((p) => p === "dockerode")).toEqual([]);

    // The same walk does find them from the worker's entry point: the check can fail.
    const worker = moduleGraph("worker/main.ts");
    expect([...worker.files].filter(isRuntimeModule)).toEqual(expect.arrayContaining(["shared/runtime/docker/runtime.ts"]));
    expect(worker.packages).toContain("dockerode");
  });
});
