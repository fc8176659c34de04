/**
 * Builds the dashboard into dist/dashboard, served by the API under /app (api/dashboard.ts):
 * hashed file names under assets/ (cached for good), no inline script or style (the page's
 * Content-Security-Policy forbids them), no source maps in the served build.
 * `npx vite --config dashboard/vite.config.ts` serves it for development, proxying /api to the API.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/app/",
  publicDir: "public",
  oxc: { jsx: { runtime: "automatic", importSource: "react" } },
  build: {
    outDir: fileURLToPath(new URL("../dist/dashboard", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    // Browsers this dashboard supports all preload modules; the polyfill would be extra script.
    modulePreload: { polyfill: false },
    // Small assets are files too: inlining would make data: URLs the CSP would have to allow.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { "/api": { target: process.env.CONVERGENCE_URL ?? "http://127.0.0.1:3000", changeOrigin: false } },
  },
});
