/**
 * The API reference at /docs: Scalar's interactive reference over /openapi.json, where "try it"
 * sends real requests to this API. Its one script is served by this API from node_modules, never
 * from a CDN (the machine may be offline, and so may its users), with Scalar's web fonts,
 * telemetry and AI agent off, so the page makes no request anywhere else.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import type { HonoEnv } from "./env.js";

const scriptPath = createRequire(import.meta.url).resolve("@scalar/api-reference/browser/standalone.js");

interface Asset {
  /** Content-addressed, so it can be cached for good. */
  path: string;
  body: Buffer;
  gzipped: Buffer;
}

let asset: Promise<Asset> | undefined;
/** Read and compressed on first use (3.5 MB, about 1 MB gzipped), then kept for the process's life. */
function scalarScript(): Promise<Asset> {
  asset ??= readFile(scriptPath).then((body) => ({
    path: `/docs/assets/scalar-${createHash("sha256").update(body).digest("hex").slice(0, 16)}.js`,
    body,
    gzipped: gzipSync(body),
  }));
  return asset;
}

export function mountDocs(app: OpenAPIHono<HonoEnv>, title: string) {
  app.get(
    "/docs",
    Scalar(async () => ({
      url: "/openapi.json",
      cdn: (await scalarScript()).path,
      pageTitle: title,
      withDefaultFonts: false,
      telemetry: false,
      showDeveloperTools: "never",
      hideClientButton: false,
      persistAuth: false,
      defaultOpenAllTags: true,
      agent: { disabled: true }, // Scalar's AI chat, which loads a registry from scalar.com
    })),
  );
  app.get("/docs/assets/:file", async (c) => {
    const script = await scalarScript();
    if (c.req.path !== script.path) return c.notFound();
    const gzip = /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
    const body = gzip ? script.gzipped : script.body;
    return c.body(new Uint8Array(body), 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=31536000, immutable",
      Vary: "Accept-Encoding",
      ...(gzip ? { "Content-Encoding": "gzip" } : {}),
    });
  });
}
