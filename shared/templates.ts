/**
 * The template registry: every folder under TEMPLATES_DIR (a ':'-separated list) holding a
 * `template.json` is a tenant starter app, addressed by language and framework.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Config } from "./config.js";

const manifestSchema = z.object({
  language: z.string().regex(/^[a-z0-9-]+$/),
  framework: z.string().regex(/^[a-z0-9-]+$/),
  description: z.string().default(""),
  /** The port the app listens on inside its container. */
  containerPort: z.number().int().default(3000),
  healthPath: z.string().default("/health"),
  /** Which configured base image the Dockerfile's BASE_IMAGE argument gets (see baseImageOf). */
  base: z.enum(["node", "python", "go", "bun", "static"]).default("node"),
});

export type TemplateBase = z.infer<typeof manifestSchema>["base"];

/** The config variable naming each base: the production default is a registry image, the set-up may swap in a local one. */
const baseImageVariable = {
  node: "TENANT_BASE_IMAGE",
  python: "PYTHON_BASE_IMAGE",
  go: "GO_BASE_IMAGE",
  bun: "BUN_BASE_IMAGE",
  static: "STATIC_BASE_IMAGE",
} as const satisfies Record<TemplateBase, keyof Config>;

/** The base image `template` is built on, from the configuration. */
export function baseImageOf(config: Pick<Config, (typeof baseImageVariable)[TemplateBase]>, template: Pick<Template, "base">): string {
  return config[baseImageVariable[template.base]];
}

export type Template = z.infer<typeof manifestSchema> & { id: string; dir: string };

export class TemplateRegistry {
  private readonly byId = new Map<string, Template>();

  constructor(dirs: string) {
    for (const root of dirs.split(":").filter(Boolean)) {
      if (!existsSync(root)) continue;
      for (const entry of readdirSync(root, { withFileTypes: true })) {
        const manifest = join(root, entry.name, "template.json");
        if (!entry.isDirectory() || !existsSync(manifest)) continue;
        const parsed = manifestSchema.parse(JSON.parse(readFileSync(manifest, "utf8")));
        const id = `${parsed.language}/${parsed.framework}`;
        this.byId.set(id, { ...parsed, id, dir: join(root, entry.name) });
      }
    }
  }

  get(language: string, framework: string): Template | undefined {
    return this.byId.get(`${language}/${framework}`);
  }

  list(): Template[] {
    return [...this.byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  }
}
