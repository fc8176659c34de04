/**
 * The organisation dashboard at /app: a single-page app (dashboard/, built by Vite into
 * dist/dashboard by `npm run build`) that talks to the public API only, with a session cookie
 * (api/session-cookies.ts). Served from memory, read on first use:
 *
 *   /app/assets/<name>-<hash>.<ext>  content-addressed: cached for a year, immutable
 *   /app, /app/<any page>            index.html: no-cache (revalidated by ETag), so a new build shows at once
 *
 * Every answer carries a strict Content-Security-Policy: scripts, styles, fonts and connections
 * from this origin only; no inline script or style element, no eval, no framing; DOM sinks only
 * through Trusted Types (none are used). Nothing comes from a CDN.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { projectRoot } from "../shared/config.js";
import type { HonoEnv } from "./env.js";

export const DASHBOARD_PATH = "/app";
const builtDir = join(projectRoot, "dist", "dashboard");

const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:", // the stylesheet's icons are data: SVGs
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "require-trusted-types-for 'script'",
].join("; ");

const securityHeaders = {
  "Content-Security-Policy": contentSecurityPolicy,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
};

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

interface File {
  body: Buffer;
  gzipped: Buffer | null;
  type: string;
  etag: string;
  immutable: boolean;
}

let files: Map<string, File> | undefined;

/** Every built file by its URL path, read once. */
function builtFiles(): Map<string, File> {
  if (files) return files;
  const found = new Map<string, File>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      const url = `${DASHBOARD_PATH}/${relative(builtDir, path).split(sep).join("/")}`;
      const body = readFileSync(path);
      const type = types[extname(path)] ?? "application/octet-stream";
      const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 1024;
      found.set(url, {
        body,
        gzipped: compressible ? gzipSync(body) : null,
        type,
        etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`,
        immutable: url.startsWith(`${DASHBOARD_PATH}/assets/`),
      });
    }
  };
  if (existsSync(join(builtDir, "index.html"))) walk(builtDir);
  // Only a complete build is kept; until then every request looks again (e.g. while `npm run build` runs).
  if (found.size) files = found;
  return found;
}

export function mountDashboard(app: OpenAPIHono<HonoEnv>): void {
  app.get(DASHBOARD_PATH, (c) => c.redirect(`${DASHBOARD_PATH}/`, 301));
  app.get(`${DASHBOARD_PATH}/*`, (c) => {
    const all = builtFiles();
    const index = all.get(`${DASHBOARD_PATH}/index.html`);
    if (!index) {
      return c.text("The dashboard has not been built: run `npm run build` (the set-up does it).\n", 503, { ...securityHeaders, "Cache-Control": "no-store" });
    }
    const path = c.req.path;
    let file = all.get(path);
    // A page of the app (no file extension) is the app itself; its router shows the page.
    if (!file && !/\.[a-z0-9]+$/i.test(path)) file = index;
    if (!file) return c.text("Not found\n", 404, { ...securityHeaders, "Cache-Control": "no-store" });
    const headers: Record<string, string> = {
      ...securityHeaders,
      "Content-Type": file.type,
      ETag: file.etag,
      "Cache-Control": file.immutable ? "public, max-age=31536000, immutable" : "no-cache",
      Vary: "Accept-Encoding",
    };
    if (c.req.header("if-none-match") === file.etag) return c.body(null, 304, headers);
    const gzip = file.gzipped && /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
    if (gzip) headers["Content-Encoding"] = "gzip";
    return c.body(new Uint8Array(gzip ? file.gzipped! : file.body), 200, headers);
  });
}
