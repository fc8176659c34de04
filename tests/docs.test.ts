/**
 * The API reference at /docs in a real headless Chromium (Debian's, driven by playwright-core):
 * it loads with every request answered by the API itself (no CDN, no fonts or telemetry from
 * elsewhere) and no console error, it lists every operation and webhook of /openapi.json, and
 * "try it" sends a real request to the running API. Also what the document must say for that:
 * an operationId, a tag and a JSON error schema on every operation.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookEventTypes } from "../shared/webhooks/event-catalog.js";
import { startStack, type Stack } from "./helpers/stack.js";

type Operation = { operationId?: string; summary?: string; tags?: string[]; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>>; webhooks: Record<string, Record<string, Operation>> };

let stack: Stack;
let org: { id: number; token: string };
let doc: Doc;
let profile: string;
let browser: BrowserContext;

/** What the page did that it should not have: requests refused, failed or answered with an error, console errors. */
interface Trouble {
  offsite: string[];
  failed: string[];
  errors: string[];
}

beforeAll(async () => {
  stack = await startStack("docs", {}, { workers: 0 });
  org = await stack.newOrg("docs-org");
  doc = (await stack.api<Doc>("/openapi.json")).body;
  profile = mkdtempSync(join(tmpdir(), "convergence-chromium-"));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await stack?.stop();
});

/** A fresh page on /docs; anything not for the API's own origin is refused before it leaves the machine, and recorded. */
async function openDocs(): Promise<{ page: Page; trouble: Trouble }> {
  const trouble: Trouble = { offsite: [], failed: [], errors: [] };
  const origin = new URL(stack.url).origin;
  const page = await browser.newPage();
  await page.route(
    (url) => url.origin !== origin,
    (route) => {
      trouble.offsite.push(route.request().url());
      return route.abort();
    },
  );
  page.on("requestfailed", (r) => trouble.failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().includes("/api/v1/")) trouble.failed.push(`${r.url()}: HTTP ${r.status()}`);
  });
  page.on("console", (m) => {
    if (m.type() === "error") trouble.errors.push(m.text());
  });
  page.on("pageerror", (e) => trouble.errors.push(e.message));
  await page.goto(`${stack.url}/docs`, { waitUntil: "networkidle" });
  return { page, trouble };
}

const operations = () => Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1, gives every operation a unique operationId, a tag and a JSON error schema per error status, and describes the webhooks", () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, op } of operations()) {
      expect(op.tags?.length, `${method} ${path} has a tag`).toBeGreaterThan(0);
      const errors = Object.entries(op.responses).filter(([status]) => Number(status) >= 400);
      expect(
        errors.map(([s]) => s),
        `${method} ${path} documents 500 and 503`,
      ).toEqual(expect.arrayContaining(["500", "503"]));
      for (const [status, response] of errors) {
        // 431 is Node's HTTP server's own answer to oversized headers, before the app: no body.
        if (status === "431") expect(response.content, `${method} ${path} ${status}`).toBeUndefined();
        else expect(response.content?.["application/json"]?.schema, `${method} ${path} ${status}`).toEqual({ $ref: "#/components/schemas/Error" });
      }
    }
    // Every event the platform sends (the catalog), each documented.
    expect(Object.keys(doc.webhooks).sort()).toEqual([...webhookEventTypes].sort());
    expect(webhookEventTypes).toEqual(expect.arrayContaining(["tenant.ready", "tenant.destroyed", "tenant.paused", "tenant.woke", "deployment.live", "deployment.failed"]));
    for (const hook of Object.values(doc.webhooks)) expect(JSON.stringify(hook.post)).toContain("#/components/schemas/WebhookPayload");
  });
});

describe("the reference at /docs", () => {
  it("loads with every request answered by the API itself and no console error, and lists every operation and webhook", async () => {
    const { page, trouble } = await openDocs();
    try {
      await page.getByRole("heading", { name: "Convergence control plane API" }).waitFor({ timeout: 30_000 });
      for (const { path, method, op } of operations()) {
        const entry = sidebarEntry(page, op.summary!, method);
        expect(await entry.count(), `${method.toUpperCase()} ${path} (${op.summary}) in the sidebar`).toBe(1);
        // The sidebar leads to its section (rendered as it comes into view), with its "try it" button.
        await entry.click();
        await page.getByRole("button", { name: `Test Request (${method} ${path})` }).waitFor({ timeout: 10_000 });
      }
      for (const name of Object.keys(doc.webhooks)) {
        expect(await sidebarEntry(page, name, "post").count(), name).toBe(1);
      }
      expect(trouble).toEqual({ offsite: [], failed: [], errors: [] });
    } finally {
      await page.close();
    }
  });

  it("'try it' sends a real request to the running API, with the token typed into the page", async () => {
    const { page, trouble } = await openDocs();
    try {
      await sidebarEntry(page, doc.paths["/api/v1/webhooks/secret"]!.get!.summary!, "get").click();
      await page.getByRole("button", { name: "Test Request (get /api/v1/webhooks/secret)" }).click();
      await page.getByPlaceholder("Token").fill(org.token);
      const answered = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/webhooks/secret", { timeout: 30_000 });
      await page.getByRole("button", { name: `Send get request to ${stack.url}/api/v1/webhooks/secret`, exact: true }).click();
      const response = await answered;
      expect(response.request().headers().authorization).toBe(`Bearer ${org.token}`);
      expect(response.status()).toBe(200);
      const { secret } = (await response.json()) as { secret: string };
      expect(secret).toBe((await stack.api("/api/v1/webhooks/secret", { token: org.token })).body.secret);
      // The answer is shown in the page.
      await page
        .getByText(`"${secret.slice(0, 12)}"`)
        .first()
        .waitFor({ timeout: 10_000 });
      expect(trouble).toEqual({ offsite: [], failed: [], errors: [] });
    } finally {
      await page.close();
    }
  });
});

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** An operation's entry in Scalar's sidebar: its summary and method (shown abbreviated: DEL). */
const sidebarEntry = (page: Page, summary: string, method: string) =>
  page.getByRole("button", { name: new RegExp(`^${escapeRegExp(summary)}\\s*HTTP METHOD:\\s*${method.slice(0, 3)}\\w*$`, "i") });
