/**
 * The API reference at /docs: Scalar's interactive reference over /openapi.json, where "try it"
 * sends real requests to this API. Its one script is served by this API from node_modules, never
 * from a CDN (the machine may be offline, and so may its users), with Scalar's web fonts,
 * telemetry and AI agent off, so the page makes no request anywhere else.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import type { HonoEnv } from "./env.js";

const scriptPath = createRequire(import.meta.url).resolve("@scalar/api-reference/browser/standalone.js");

let assetPath: Promise<string> | undefined;
/**
 * The script's content-addressed path (so it can be cached for good), hashed on first use by
 * streaming the file. The script itself (3.5 MB, about 1 MB gzipped) is never kept in memory: it
 * is streamed from node_modules, compressed on the fly, each time a browser without it in cache asks.
 */
function scalarScriptPath(): Promise<string> {
  assetPath ??= (async () => {
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(scriptPath)) hash.update(chunk as Buffer);
    return `/docs/assets/scalar-${hash.digest("hex").slice(0, 16)}.js`;
  })();
  return assetPath;
}

export function mountDocs(app: OpenAPIHono<HonoEnv>, title: string) {
  app.get(
    "/docs",
    Scalar(async () => ({
      url: "/openapi.json",
      cdn: await scalarScriptPath(),
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
    if (c.req.path !== (await scalarScriptPath())) return c.notFound();
    const gzip = /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
    const file = createReadStream(scriptPath);
    const body = gzip ? file.pipe(createGzip()) : file;
    return c.body(Readable.toWeb(body) as ReadableStream, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=31536000, immutable",
      Vary: "Accept-Encoding",
      ...(gzip ? { "Content-Encoding": "gzip" } : {}),
    });
  });
}
