/**
 * Template images, built on an engine from the template's directory: content-addressed tags, one
 * build per tag and process. Both drivers build through this (Swarm then pushes the result to its
 * registry).
 */
import type Docker from "dockerode";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import tar from "tar-fs";
import type { Template } from "../../templates.js";
import { labelKeys } from "../types.js";
import { engineStatus } from "./errors.js";

export class TemplateImages {
  private readonly building = new Map<string, Promise<string>>();
  /** Image tags seen to exist: ensure asks the engine once per tag and process, not once per tenant. */
  private readonly knownImages = new Set<string>();

  constructor(private readonly docker: Docker) {}

  /** The local tag of the template's image on `baseImage`, built first if the engine does not have it. */
  async ensure(template: Template, baseImage: string): Promise<string> {
    // The labels are part of what the tag names: images built when they carried the owner label
    // (which every container started from them inherited) are never reused.
    const tag = `convergence-template-${template.language}-${template.framework}:${contentHash(template.dir, baseImage, imageLabels(template))}`;
    if (this.knownImages.has(tag)) return tag;
    // Several jobs in one worker may ask at once: build once per process, Docker dedupes the rest.
    let pending = this.building.get(tag);
    if (!pending) {
      pending = buildImageIfMissing(this.docker, { dir: template.dir, tag, baseImage, labels: imageLabels(template), what: `template ${template.id}` })
        .then((built) => (this.knownImages.add(built), built))
        .finally(() => this.building.delete(tag));
      this.building.set(tag, pending);
    }
    return pending;
  }

  /** The engine no longer has `tag` (removed behind our back): the next `ensure` builds it again. */
  forget(tag: string): void {
    this.knownImages.delete(tag);
  }
}

/**
 * Builds `dir` (a Dockerfile taking a BASE_IMAGE build argument) into `tag` unless an image with
 * that tag exists: tags are content-addressed, so an existing one has exactly this content.
 */
export async function buildImageIfMissing(docker: Docker, args: { dir: string; tag: string; baseImage: string; labels: Record<string, string>; what: string }): Promise<string> {
  try {
    await docker.getImage(args.tag).inspect();
    return args.tag;
  } catch (err) {
    if (engineStatus(err) !== 404) throw err;
  }
  const stream = await docker.buildImage(tar.pack(args.dir), {
    t: args.tag,
    buildargs: { BASE_IMAGE: args.baseImage },
    labels: args.labels,
    rm: true,
    forcerm: true,
    pull: false, // offline hosts: the base image is local, never pulled during a build
  });
  const output: Array<{ error?: string; stream?: string }> = await new Promise((resolve, reject) => docker.modem.followProgress(stream, (err, res) => (err ? reject(err) : resolve(res))));
  const failed = output.find((o) => o.error);
  if (failed) {
    const tailLines = output
      .map((o) => o.stream ?? "")
      .join("")
      .trim()
      .split("\n")
      .slice(-5)
      .join("\n");
    throw new Error(`building image for ${args.what} failed: ${failed.error}\n${tailLines}`);
  }
  return args.tag;
}

/** What a template image is labelled with: which template, and nothing about ownership (see labelKeys). */
function imageLabels(template: Template): Record<string, string> {
  return { [labelKeys.imageTemplate]: template.id };
}

/** Image tags are content-addressed: a changed template, base image or label set gets a new image. */
export function contentHash(dir: string, baseImage: string, labels: Record<string, string>): string {
  const h = createHash("sha256").update(baseImage).update(JSON.stringify(labels));
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (name === "node_modules") {
        // Dependencies are pinned by the lock file, which is hashed; hashing every file is slow.
        continue;
      }
      if (statSync(p).isDirectory()) walk(p);
      else h.update(relative(dir, p)).update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest("hex").slice(0, 12);
}
