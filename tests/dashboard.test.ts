/**
 * The organisation dashboard at /app, end to end in a real headless Chromium (Debian's, driven
 * by playwright-core) against the real stack: signing in and out, spawning from the form and
 * following the tenant to ready, its key shown once, the tenant page (timeline, logs, key
 * rotation, destroy), its revisions (build log, rollback, environment variables), usage, one
 * organisation never seeing another's tenants, and CSRF.
 *
 * Every browser context records what must not happen: a console error, a page error, a failed
 * request (other than a stream or poll the page itself cancelled when leaving a view), an HTTP
 * error answer, a request for anything but the API's own origin. Each test ends by checking that
 * nothing but what it expects happened. Screenshots of each page, at 1280 px and at phone width,
 * go to .test-logs/<instance>/screenshots/; at both widths axe-core checks the page and no serious
 * or critical accessibility violation may be found (WCAG 2.2 A and AA rules, contrast included).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import tarStream from "tar-stream";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { freePort, logDir, ownedContainers, spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 812 };
/** axe-core's browser build, evaluated in each page checked (through the DevTools protocol, so the dashboard's CSP does not apply). */
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const shotsDir = join(logDir, "screenshots");

let stack: Stack;
let browser: Browser;
let orgA: { id: number; token: string };
let orgB: { id: number; token: string };

beforeAll(async () => {
  // A failing template fails within seconds; webhooks may go to a receiver on this machine.
  stack = await startStack("dashboard", { TENANT_READY_TIMEOUT_MS: "12000", PROVISION_ATTEMPTS: "2", WEBHOOK_ALLOWED_HOSTS: "127.0.0.1", DEPLOY_DRAIN_MS: "500" });
  orgA = await stack.newOrg("dash-a");
  orgB = await stack.newOrg("dash-b");
  mkdirSync(shotsDir, { recursive: true });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true, // a fresh temporary profile per launch
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** What a context did that it should not have. */
interface Recorder {
  context: BrowserContext;
  trouble: string[];
  /** Every request URL, to check that no credential ever travels in one. */
  urls: string[];
  /** Requests Chromium aborted because the host's network changed (see newContext). */
  networkChanged: number;
  pages: Page[];
}

async function newContext(): Promise<Recorder> {
  const context = await browser.newContext({ viewport: DESKTOP, permissions: ["clipboard-read", "clipboard-write"] });
  onTestFinished(() => context.close());
  const rec: Recorder = { context, trouble: [], urls: [], networkChanged: 0, pages: [] };
  context.on("page", (p) => rec.pages.push(p));
  const origin = new URL(stack.url).origin;
  await context.route(
    (url) => url.origin !== origin,
    (route) => {
      rec.trouble.push(`offsite request: ${route.request().url()}`);
      return route.abort();
    },
  );
  context.on("request", (r) => rec.urls.push(r.url()));
  context.on("console", (m) => {
    if (m.text().includes("net::ERR_NETWORK_CHANGED")) return; // the browser's report of the above
    if (m.type() === "error" || m.type() === "warning") rec.trouble.push(`console ${m.type()}: ${m.text()}`);
  });
  context.on("weberror", (e) => rec.trouble.push(`page error: ${e.error().message}`));
  context.on("requestfailed", (r) => {
    const failure = r.failure()?.errorText ?? "";
    // An event stream or a poll the page closed itself, leaving a view, is not a failure.
    if (failure === "net::ERR_ABORTED" && ["eventsource", "fetch"].includes(r.resourceType())) return;
    // Chromium aborts requests in flight when the host's network changes, which Docker does on
    // this machine whenever a container starts or goes: counted, and the page must ride it out
    // (it retries reads; no error may show, see expectOnly).
    if (failure === "net::ERR_NETWORK_CHANGED") {
      rec.networkChanged++;
      return;
    }
    rec.trouble.push(`request failed: ${r.method()} ${new URL(r.url()).pathname} ${failure}`);
  });
  context.on("response", (r) => {
    if (r.status() >= 400) rec.trouble.push(`HTTP ${r.status()}: ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  return rec;
}

/**
 * Nothing happened that should not have, but exactly `expected` (each a substring of one entry),
 * and no page shows an error (requests lost to a network change were retried unseen).
 */
async function expectOnly(rec: Recorder, expected: string[] = [], shown: string[] = []) {
  for (const page of rec.pages.filter((p) => !p.isClosed() && p.url().startsWith(`${stack.url}/app`))) {
    const alerts = await page.getByRole("alert").allTextContents();
    expect(
      alerts.filter((a) => !shown.some((e) => a.includes(e))),
      `errors shown on ${page.url()}`,
    ).toEqual([]);
  }
  const left = [...rec.trouble];
  for (const e of expected) {
    const i = left.findIndex((t) => t.includes(e));
    expect(i, `expected "${e}" among ${JSON.stringify(rec.trouble)}`).toBeGreaterThanOrEqual(0);
    left.splice(i, 1);
  }
  expect(left, `unexpected: ${JSON.stringify(left, null, 1)}`).toEqual([]);
}

/** Signs in through the form and lands on the tenants page. */
async function signIn(rec: Recorder, token: string): Promise<Page> {
  const page = await rec.context.newPage();
  await page.goto(`${stack.url}/app/`);
  await page.getByLabel("Organisation token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { level: 1, name: "Tenants" }).waitFor();
  await page.getByText("Loading tenants…").waitFor({ state: "detached" });
  return page;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/** axe-core on the page as it is now: no serious or critical violation (each listed with where and why). */
async function expectAccessible(page: Page, name: string) {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] }, resultTypes: ["violations"] });
    return result.violations as AxeViolation[];
  });
  const serious = violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) => `${v.impact} ${v.id}: ${v.help}
${v.nodes.map((n) => `    ${JSON.stringify(n.target)} ${n.failureSummary ?? ""}`).join("\n")}`,
    );
  expect(serious, `accessibility violations on ${name} (${page.viewportSize()?.width} px)`).toEqual([]);
}

/**
 * A screenshot at 1280 px and one at phone width, each checked by axe-core; at phone width nothing
 * may stick out sideways.
 */
async function screenshots(page: Page, name: string) {
  await page.setViewportSize(DESKTOP);
  await expectAccessible(page, name);
  await page.screenshot({ path: join(shotsDir, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  // Charts follow the new width on the next resize observation, not at once.
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth), { message: `${name} fits a phone's width (tables scroll in their own box)`, timeout: 5_000 })
    .toBeLessThanOrEqual(PHONE.width);
  await expectAccessible(page, name);
  await page.screenshot({ path: join(shotsDir, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

async function converge(key: string) {
  return stack.api("/api/v1/converge", { token: key, body: { prompt: "Design a cache", agentARole: "Architect", agentBRole: "Reviewer" } });
}

/** Tears down a tenant made through the dashboard when the test ends, passed or failed. */
function destroyWhenDone(token: string, envId: number) {
  onTestFinished(async () => {
    await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token }).catch(() => {});
    await waitForStatus(stack, token, envId, ["destroyed"], 30_000).catch(() => {});
    for (const c of await ownedContainers(stack, envId))
      await stack.docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
  });
}

async function envIdByName(token: string, name: string): Promise<number> {
  const { tenants } = (await stack.api("/api/v1/tenant?limit=100", { token })).body as { tenants: Array<{ envId: number; name: string }> };
  const t = tenants.find((x) => x.name === name);
  if (!t) throw new Error(`no tenant ${name}`);
  return t.envId;
}

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}`;

/** The deploy tests' tiny app (tests/fixtures/deploy-app) as a .tar.gz, its version.json saying `name`. */
async function deployArchive(name: string): Promise<Buffer> {
  const dir = join(import.meta.dirname, "fixtures", "deploy-app");
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => pack.on("end", r));
  for (const file of ["package.json", "server.js"]) pack.entry({ name: file, mode: 0o644 }, readFileSync(join(dir, file), "utf8"));
  pack.entry({ name: "version.json", mode: 0o644 }, JSON.stringify({ name }));
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

describe("the dashboard", () => {
  it("signing in: a wrong token shows the API's error; the right one opens the dashboard, the session in httpOnly cookies only, never in storage or a URL", async () => {
    const rec = await newContext();
    const page = await rec.context.newPage();
    await page.goto(`${stack.url}/app/`);
    await page.getByLabel("Organisation token").waitFor();
    await screenshots(page, "sign-in");

    // Keyboard only: the field is the first stop after the heading, Enter submits.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("token");
    await page.keyboard.type("cvg_org_this-is-not-the-right-token-000000");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("invalid organisation token");

    await page.getByLabel("Organisation token").fill(orgA.token);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Tenants" }).waitFor();
    await page.getByText("No tenants yet").waitFor();
    await screenshots(page, "tenants-empty");

    const cookies = Object.fromEntries((await rec.context.cookies()).map((c) => [c.name, c]));
    expect(cookies.cvg_session).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/api/" });
    expect(cookies.cvg_csrf).toMatchObject({ httpOnly: false, sameSite: "Strict" });
    const stored = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
    expect(stored).toEqual({ local: 0, session: 0, cookie: expect.not.stringContaining("cvg_session") });
    for (const url of rec.urls) {
      expect(url).not.toContain(orgA.token);
      expect(url).not.toContain(cookies.cvg_session!.value);
    }
    await expectOnly(rec, ["HTTP 401: POST /api/v1/auth/session", "console error: Failed to load resource: the server responded with a status of 401"]);
  });

  it("a tenant spawned from the form is followed to ready with no reload, the tenants table follows it live, and its key is shown once", async () => {
    const rec = await newContext();
    const table = await signIn(rec, orgA.token);
    let reloads = 0;
    table.on("framenavigated", (f) => f === table.mainFrame() && reloads++);

    const page = await rec.context.newPage();
    await page.goto(`${stack.url}/app/spawn`);
    await expect.poll(() => page.getByLabel("Template").locator("option").allTextContents()).toEqual(expect.arrayContaining(["node / express", "node / hono"]));
    await screenshots(page, "spawn");
    const name = unique("web");
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Template").selectOption("node/express");
    await page.getByText("Webhook and quotas (optional)").click();
    await page.getByLabel("Convergence calls per minute").fill("100");
    await page.getByRole("button", { name: "Spawn", exact: true }).click();

    await page.getByRole("heading", { level: 1, name }).waitFor();
    const envId = await envIdByName(orgA.token, name);
    destroyWhenDone(orgA.token, envId);
    await page.getByText(`${name} is ready.`).waitFor({ timeout: 90_000 });
    expect(await page.locator(".steps .step-done").allTextContents()).toEqual(["pending", "provisioning", "starting", "ready"]);
    const key = await page.getByTestId("secret").inputValue();
    expect(key).toMatch(/^sk_tenant_/);
    await page.getByText("you will not see this again").waitFor();
    await page.getByRole("button", { name: "Copy" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await screenshots(page, "spawn-ready-key");
    expect((await converge(key)).status).toBe(200); // the key shown is the tenant's
    const status = (await stack.api(`/api/v1/tenant/${envId}/status`, { token: orgA.token })).body.tenant;
    expect(status).toMatchObject({ status: "ready", quota: { callsPerMinute: 100 } });

    // The other tab's table followed it to ready from the event stream, without reloading.
    await table.locator(`tr[data-env-id="${envId}"]`).getByText("ready").waitFor({ timeout: 30_000 });
    const row = (await table.locator(`tr[data-env-id="${envId}"]`).textContent()) ?? "";
    expect(row).toContain(name);
    // Its HTTPS address through the ingress, and the host port it also answers on.
    expect(status.url).toMatch(new RegExp(`^https://${name}-${envId}\\.`));
    expect(row).toContain(status.url.replace(/^https:\/\//, ""));
    expect(row).toContain(`:${status.port}`);
    expect(reloads).toBe(0);
    await table.bringToFront();
    await screenshots(table, "tenants");
    // At phone width the table is a column of cards: one block per tenant, each value named, nothing wider than the screen.
    await table.setViewportSize(PHONE);
    const card = table.locator(`tr[data-env-id="${envId}"]`);
    expect(await card.evaluate((tr) => getComputedStyle(tr).display)).toBe("block");
    expect((await card.boundingBox())!.width).toBeLessThanOrEqual(PHONE.width);
    const labels = await card.locator("td").evaluateAll((tds) => tds.filter((td) => getComputedStyle(td).display !== "none").map((td) => getComputedStyle(td, "::before").content));
    expect(labels).toEqual(['"Status: "', '"URL / port: "', '"Template: "', '"Age: "', '"Health: "']);
    expect((await table.locator("table thead").boundingBox())!.height).toBeLessThanOrEqual(1); // for screen readers only
    await table.setViewportSize(DESKTOP);
    expect(await card.evaluate((tr) => getComputedStyle(tr).display)).toBe("table-row");
    // Filtered by status.
    await table.getByLabel("Filter by status").selectOption("failed");
    await table.getByText("No tenants are failed").waitFor();
    await table.getByLabel("Filter by status").selectOption("ready");
    await table.locator(`tr[data-env-id="${envId}"]`).waitFor();
    expect(await table.locator("tbody tr .status").allTextContents()).toEqual(expect.arrayContaining(["ready"]));
    expect(new Set(await table.locator("tbody tr .status").allTextContents())).toEqual(new Set(["ready"]));

    // Once stored, it is gone, and no page shows it again.
    await page.getByRole("button", { name: "I have stored it" }).click();
    expect(await page.getByTestId("secret").count()).toBe(0);
    expect(await page.content()).not.toContain(key);
    await page.getByRole("link", { name: "Open the tenant's page" }).click();
    await page.getByText(status.apiKeyPrefix).waitFor();
    expect(await page.content()).not.toContain(key);
    await expectOnly(rec);
  });

  it("a spawn that fails shows the failure and its error, and no key", async () => {
    const rec = await newContext();
    const page = await signIn(rec, orgA.token);
    await page.getByRole("button", { name: "Spawn a tenant" }).click();
    const name = unique("broken");
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Template").selectOption("node/unhealthy");
    await page.getByRole("button", { name: "Spawn", exact: true }).click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    destroyWhenDone(orgA.token, await envIdByName(orgA.token, name));
    await page.getByText(`${name} failed.`).waitFor({ timeout: 90_000 });
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/step "health"/);
    expect(await page.getByTestId("secret").count()).toBe(0);
    expect(await page.content()).not.toContain("sk_tenant_");
    await screenshots(page, "spawn-failed");
    await expectOnly(rec, [], [`step "health"`]);
  });

  it("keyboard only: from the tenants page through the spawn form; the API's refusal is shown and nothing is created", async () => {
    const org = await stack.newOrg("dash-keys");
    const rec = await newContext();
    const page = await signIn(rec, org.token);
    /** The focused element: its id, or else its text. */
    const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent?.trim());
    const tab = async (to: string) => {
      await page.keyboard.press("Tab");
      expect(await focused()).toBe(to);
    };
    // A new page puts the focus on its heading (announced by screen readers); the next stop is the page's action.
    expect(await focused()).toBe("Tenants");
    await tab("Spawn a tenant");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Spawn a tenant" }).waitFor();
    expect(await focused()).toBe("Spawn a tenant");
    await expect.poll(() => page.getByLabel("Template").inputValue()).not.toBe("");
    await tab("name");
    await page.keyboard.type("by-keyboard");
    await tab("template");
    await tab("Webhook and quotas (optional)");
    await page.keyboard.press("Enter"); // opens the optional part
    await tab("webhookUrl");
    await page.keyboard.type("http://10.1.2.3/hook"); // a private address: the API refuses it
    await tab("callsPerMinute");
    await page.keyboard.type("5");
    await tab("callsPerMonth");
    await tab("Spawn");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain(`webhookUrl host "10.1.2.3" is a private address`);
    // Still the form, as typed, to correct.
    expect(await page.getByLabel("Name").inputValue()).toBe("by-keyboard");
    expect((await stack.api("/api/v1/tenant?limit=100", { token: org.token })).body.tenants).toEqual([]);
    await screenshots(page, "spawn-refused");
    await expectOnly(rec, ["HTTP 400: POST /api/v1/tenant/spawn", "console error: Failed to load resource: the server responded with a status of 400"], ["is a private address"]);
  });

  it("the tenant page shows the timeline, health and logs, rotates the key after a confirmation (the new one shown once) and destroys the tenant once its name is typed", async () => {
    const receiver = createServer((req, res) => req.resume().on("end", () => res.writeHead(204).end()));
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    onTestFinished(() => new Promise<void>((r) => receiver.close(() => r())));
    const webhookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    const name = unique("ops");
    const spawned = await spawnViaApi(stack, orgA.token, { name, webhookUrl });
    const envId = spawned.body.tenant.envId as number;
    const oldKey = spawned.body.tenant.apiKey as string;
    await waitForStatus(stack, orgA.token, envId, ["ready"]);
    const rec = await newContext();
    const page = await signIn(rec, orgA.token);
    await page.getByRole("link", { name, exact: true }).click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    const timeline = page.getByTestId("timeline");
    await timeline.getByText("health check passed").waitFor();
    const logs = page.getByTestId("logs");
    await expect.poll(() => logs.textContent(), { timeout: 30_000 }).toContain(`tenant_${envId} (${name}) listening on 3000`);
    await page
      .getByText(/passing|not checked yet/)
      .first()
      .waitFor();
    // The tenant.ready webhook, delivered to the receiver, with its attempt.
    const ready = page.getByTestId("webhooks").getByRole("row").filter({ hasText: "tenant.ready" });
    await ready.getByText("delivered").waitFor({ timeout: 30_000 });
    await ready.getByText("1 attempt").click();
    await ready.getByText(/#1 .*: HTTP 204/).waitFor();
    await screenshots(page, "tenant");

    await page.getByRole("button", { name: "Rotate key" }).click();
    const confirm = page.getByRole("dialog", { name: `Rotate the API key of ${name}?` });
    await confirm.waitFor();
    await screenshots(page, "tenant-rotate-confirm");
    await confirm.getByRole("button", { name: "Rotate key" }).click();
    const newKey = await page.getByRole("textbox", { name: `New API key of ${name}` }).inputValue();
    expect(newKey).toMatch(/^sk_tenant_/);
    expect(newKey).not.toBe(oldKey);
    expect((await converge(oldKey)).status).toBe(401);
    expect((await converge(newKey)).status).toBe(200);
    await page.getByRole("button", { name: "I have stored it" }).click();
    expect(await page.content()).not.toContain(newKey);
    // On Docker a new revision with the new key is started beside the old one and switched to
    // (docs/deploys.md): the revisions follow it to live; the tenant never leaves ready.
    const rotation = page.getByTestId("revisions").locator('tr[data-revision="2"]');
    await rotation.locator(".status-live").waitFor({ timeout: 60_000 });
    expect(await rotation.textContent()).toContain("key rotation");
    await expect.poll(() => page.getByTestId("live-revision").textContent(), { timeout: 30_000 }).toBe("live: revision 2");
    expect(await timeline.getByText("health check passed").count()).toBe(1);

    await page.getByRole("button", { name: "Destroy" }).click();
    const dialog = page.getByRole("dialog", { name: `Destroy ${name}?` });
    const destroy = dialog.getByRole("button", { name: `Destroy ${name}` });
    expect(await destroy.isDisabled()).toBe(true);
    await dialog.getByLabel(`Type ${name} to confirm`).fill(`${name}x`);
    expect(await destroy.isDisabled()).toBe(true);
    await page.keyboard.press("Escape"); // a keyboard user can back out
    await dialog.waitFor({ state: "hidden" });
    expect((await stack.api(`/api/v1/tenant/${envId}/status`, { token: orgA.token })).body.tenant.status).toBe("ready");
    await page.getByRole("button", { name: "Destroy" }).click();
    await dialog.getByLabel(`Type ${name} to confirm`).fill(name);
    await screenshots(page, "tenant-destroy-confirm");
    await destroy.click();
    await timeline.getByText("destroyed", { exact: true }).waitFor({ timeout: 60_000 });
    await page.locator(".page-head .status-destroyed").waitFor();
    expect((await stack.api(`/api/v1/tenant/${envId}/status`, { token: orgA.token })).body.tenant.status).toBe("destroyed");
    expect(await ownedContainers(stack, envId)).toEqual([]);
    await expectOnly(rec);
  });

  it("the tenant page shows the idle policy, puts the tenant to sleep and wakes it, the state following live", async () => {
    const name = unique("nap");
    const spawned = await spawnViaApi(stack, orgA.token, { name, idle: { pauseAfterSeconds: 3600, stopAfterSeconds: null } });
    const envId = spawned.body.tenant.envId as number;
    await waitForStatus(stack, orgA.token, envId, ["ready"]);
    const rec = await newContext();
    const page = await signIn(rec, orgA.token);
    await page.getByRole("link", { name, exact: true }).click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    expect(await page.getByTestId("idle-policy").textContent()).toContain("pause after 3600 s, stop after never");
    await page.getByRole("button", { name: "Sleep" }).click();
    await page.locator(".page-head .status-paused").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Wake" }).click();
    await page.locator(".page-head .status-ready").waitFor({ timeout: 30_000 });
    await page.getByTestId("timeline").getByText("woke: its health check passes").waitFor();
    expect((await stack.api(`/api/v1/tenant/${envId}/status`, { token: orgA.token })).body.tenant.status).toBe("ready");
    await expectOnly(rec);
  });

  it("the tenant page lists its revisions with the live one marked, shows a build log, sets the app's variables as a new revision, and rolls back to the uploaded one after a confirmation, following it to live", async () => {
    const name = unique("rev");
    const spawned = await spawnViaApi(stack, orgA.token, { name });
    const envId = spawned.body.tenant.envId as number;
    destroyWhenDone(orgA.token, envId);
    await waitForStatus(stack, orgA.token, envId, ["ready"]);
    const upload = await fetch(`${stack.url}/api/v1/tenant/${envId}/deployments`, {
      method: "POST",
      headers: { authorization: `Bearer ${orgA.token}`, "content-type": "application/gzip" },
      body: new Uint8Array(await deployArchive("v2")),
    });
    expect(upload.status).toBe(202);
    const deployed = await waitFor(
      async () => {
        const r = await stack.api(`/api/v1/tenant/${envId}/deployments/2?wait=live&timeout=20`, { token: orgA.token, timeoutMs: 30_000 });
        return ["live", "failed"].includes(r.body?.deployment?.status) ? r.body.deployment : null;
      },
      { timeoutMs: 180_000, what: "revision 2 to finish" },
    );
    expect(deployed.status, deployed.error ?? "").toBe("live");

    const rec = await newContext();
    const page = await signIn(rec, orgA.token);
    await page.getByRole("link", { name, exact: true }).click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    const revisions = page.getByTestId("revisions");
    const row = (revision: number) => revisions.locator(`tr[data-revision="${revision}"]`);
    await row(1).waitFor();
    expect(await page.getByTestId("live-revision").textContent()).toBe("live: revision 2");
    expect(await page.getByTestId("tenant-revision").textContent()).toBe("2");
    expect(await row(2).textContent()).toMatch(/^2 \(live\)live.*upload/);
    expect(await row(1).textContent()).toMatch(/^1superseded.*template/);
    // A revision that went live can be rolled back to; the live one cannot.
    expect(
      await row(2)
        .getByRole("button", { name: /Roll back/ })
        .count(),
    ).toBe(0);
    await screenshots(page, "tenant-revisions");

    await page.getByRole("button", { name: "Build log of revision 2" }).click();
    await expect.poll(() => page.getByTestId("build-log").textContent()).toContain("answered 200 3 times in a row");

    // Revision 1 (the template) went live and records its template image: it can be rolled back to.
    expect(await row(1).getByRole("button", { name: "Roll back to revision 1" }).count()).toBe(1);

    await page.getByLabel("Name").fill("GREETING");
    await page.getByLabel("Value").fill("hello-from-the-dashboard");
    await page.getByRole("button", { name: "Set variables" }).click();
    await page.getByText("Revision 3 is on its way with these variables.").waitFor();
    const env = page.getByTestId("env-vars");
    expect(await env.textContent()).toContain("GREETING");
    expect(await env.textContent()).not.toContain("hello-from-the-dashboard");
    await row(3).locator(".status-live").waitFor({ timeout: 120_000 });
    expect(await row(3).textContent()).toContain("env change");
    await expect.poll(() => page.getByTestId("live-revision").textContent(), { timeout: 30_000 }).toBe("live: revision 3");

    await page.getByRole("button", { name: "Roll back to revision 2" }).click();
    const dialog = page.getByRole("dialog", { name: "Roll back to revision 2?" });
    await dialog.getByRole("button", { name: "Roll back" }).click();
    await dialog.waitFor({ state: "hidden" });
    // The new revision shows at once with its build log open, then its progress, until it is live.
    await page.getByRole("heading", { name: "Build log of revision 4" }).waitFor();
    expect(await row(4).textContent()).toContain("rollback of 2");
    await row(4).locator(".status-live").waitFor({ timeout: 120_000 });
    await expect.poll(() => page.getByTestId("live-revision").textContent(), { timeout: 30_000 }).toBe("live: revision 4");
    await row(3).locator(".status-superseded").waitFor();
    expect((await stack.api(`/api/v1/tenant/${envId}/status`, { token: orgA.token })).body.tenant).toMatchObject({ status: "ready", revision: 4 });
    await expectOnly(rec);
  }, 300_000);

  it("usage shows a convergence call made with the tenant's key, and one refused by its quota, per tenant and per day", async () => {
    const org = await stack.newOrg("dash-usage");
    const name = unique("billed");
    const spawned = await spawnViaApi(stack, org.token, { name, quota: { callsPerMinute: 1 } });
    destroyWhenDone(org.token, spawned.body.tenant.envId as number);
    const key = spawned.body.tenant.apiKey as string;
    const tenantId = spawned.body.tenant.tenantId as string;
    expect((await converge(key)).status).toBe(200);
    expect((await converge(key)).status).toBe(429);

    const rec = await newContext();
    const page = await signIn(rec, org.token);
    await page.getByRole("link", { name: "Usage" }).click();
    const row = page.getByTestId("usage-table").getByRole("row").filter({ hasText: tenantId });
    await row.waitFor();
    // Billed, succeeded, errors, refused, aborted.
    expect((await row.locator("td.num").allTextContents()).slice(0, 5)).toEqual(["1", "1", "0", "1", "0"]);
    expect(await page.getByTestId("usage-totals").textContent()).toContain("1 billed calls (1 succeeded, 0 errors), 1 refused, 0 aborted");
    const chart = page.getByTestId("usage-chart");
    await expect.poll(() => chart.getAttribute("aria-label")).toBe("Convergence calls per day: 2 in this period");
    await page.getByLabel("Chart for").selectOption({ label: `${name} (${tenantId})` });
    await expect.poll(() => chart.getAttribute("aria-label")).toBe("Convergence calls per day: 2 in this period");
    await screenshots(page, "usage");

    // A period without calls says so.
    await page.getByLabel("From").fill("2020-01-01");
    await page.getByLabel("To (inclusive)").fill("2020-01-31");
    await page.getByText("No convergence calls in this period").waitFor();
    await expect.poll(() => chart.getAttribute("aria-label")).toBe("Convergence calls per day: 0 in this period");
    await expectOnly(rec);
  });

  it("the organisation page shows each limit and what is used of it; the webhook secret is revealed once and rotated after a confirmation; an access token is made from the organisation token", async () => {
    const rec = await newContext();
    const page = await signIn(rec, orgA.token);

    await page.getByRole("link", { name: "Organisation" }).click();
    await page.getByRole("heading", { level: 1, name: "Organisation" }).waitFor();
    const org = (await stack.api("/api/v1/org", { token: orgA.token })).body as {
      organisation: { name: string; tokenPrefix: string };
      limits: Record<string, number>;
      usage: Record<string, number>;
    };
    const live = page.locator('tr[data-limit="maxTenants"]');
    await live.waitFor();
    expect(await live.locator("td").allTextContents()).toEqual([String(org.usage.liveTenants), String(org.limits.maxTenants), "platform default"]);
    expect(await page.locator("tbody tr").count()).toBe(Object.keys(org.limits).length);
    await page.getByText(`${org.organisation.tokenPrefix}…`).waitFor();
    await screenshots(page, "organisation");

    await page.getByRole("link", { name: "Webhooks" }).click();
    await page.getByRole("heading", { level: 1, name: "Webhooks" }).waitFor();
    expect(await page.getByTestId("secret").count()).toBe(0); // hidden until asked for
    await page.getByRole("button", { name: "Reveal the secret" }).click();
    const shown = await page.getByTestId("secret").inputValue();
    expect(shown).toBe(((await stack.api("/api/v1/webhooks/secret", { token: orgA.token })).body as { secret: string }).secret);
    await screenshots(page, "webhooks-secret");
    await page.getByRole("button", { name: "I have stored it" }).click();
    expect(await page.getByTestId("secret").count()).toBe(0);
    expect(await page.content()).not.toContain(shown);

    await page.getByRole("button", { name: "Rotate the secret" }).click();
    const dialog = page.getByRole("dialog", { name: "Rotate the webhook signing secret?" });
    await dialog.waitFor();
    await screenshots(page, "webhooks-rotate-confirm");
    await dialog.getByRole("button", { name: "Rotate the secret" }).click();
    await page.getByRole("heading", { name: "New webhook signing secret" }).waitFor();
    const rotated = await page.getByTestId("secret").inputValue();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(shown);
    expect(((await stack.api("/api/v1/webhooks/secret", { token: orgA.token })).body as { secret: string }).secret).toBe(rotated);
    await page.getByRole("button", { name: "I have stored it" }).click();

    await page.getByRole("link", { name: "Tokens" }).click();
    await page.getByRole("heading", { level: 1, name: "Access tokens" }).waitFor();
    await screenshots(page, "tokens");
    // A wrong organisation token is the API's refusal, shown on the form; the session goes on.
    await page.getByLabel("Organisation token").fill("cvg_org_this-is-not-the-right-token-000000");
    await page.getByRole("button", { name: "Create an access token" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("invalid organisation token");
    await page.getByLabel("Organisation token").fill(orgA.token);
    await page.getByLabel("Lifetime in minutes").fill("5");
    await page.getByRole("button", { name: "Create an access token" }).click();
    await page.getByRole("heading", { name: "New access token" }).waitFor();
    const token = await page.getByTestId("secret").inputValue();
    expect(token).toMatch(/^eyJ/);
    expect(await page.getByLabel("Organisation token").count()).toBe(0); // the form, and the token typed in, are gone
    expect(await page.content()).not.toContain(orgA.token);
    // It reads tenants (the scope chosen) and may not spawn.
    expect((await stack.api("/api/v1/tenant", { token })).status).toBe(200);
    expect((await stack.api("/api/v1/tenant/spawn", { token, body: { name: unique("nope"), language: "node", framework: "express" } })).status).toBe(403);
    await screenshots(page, "tokens-created");
    await page.getByRole("button", { name: "I have stored it" }).click();
    await page.getByRole("heading", { level: 1, name: "Access tokens" }).waitFor(); // still signed in
    await expectOnly(rec, ["HTTP 401: POST /api/v1/auth/token", "console error: Failed to load resource: the server responded with a status of 401"], ["invalid organisation token"]);
  });

  it("organisation B's session never shows organisation A's tenants, live or not, and B's cookie cannot read or touch them", async () => {
    const rec = await newContext();
    const page = await signIn(rec, orgB.token);
    await page.getByText("No tenants yet").waitFor();
    // A tenant of A spawned while B watches, followed to ready: nothing of it reaches B's page.
    const name = unique("private");
    const spawned = await spawnViaApi(stack, orgA.token, { name });
    const envId = spawned.body.tenant.envId as number;
    destroyWhenDone(orgA.token, envId);
    await waitForStatus(stack, orgA.token, envId, ["ready"]);
    await page.getByLabel("Filter by status").selectOption("all");
    await page.getByText("No tenants yet").waitFor();
    expect(await page.content()).not.toContain(name);

    const csrf = (await rec.context.cookies()).find((c) => c.name === "cvg_csrf")!.value;
    const read = await rec.context.request.get(`${stack.url}/api/v1/tenant/${envId}/status`);
    expect(read.status()).toBe(404);
    expect((await rec.context.request.get(`${stack.url}/api/v1/tenant/${envId}/logs`)).status()).toBe(404);
    const list = await (await rec.context.request.get(`${stack.url}/api/v1/tenant?limit=100`)).json();
    expect(list.tenants).toEqual([]);
    const destroy = await rec.context.request.delete(`${stack.url}/api/v1/tenant/${envId}`, { headers: { "X-CSRF-Token": csrf } });
    expect(destroy.status()).toBe(404);
    expect((await stack.api(`/api/v1/tenant/${envId}/status`, { token: orgA.token })).body.tenant.status).toBe("ready");

    // Its page, asked for directly, is "not in this organisation".
    await page.goto(`${stack.url}/app/tenants/${envId}`);
    await page.getByText(`There is no tenant ${envId} in this organisation.`).waitFor();
    expect(await page.content()).not.toContain(name);
    await screenshots(page, "tenant-not-found");
    // The page's own two requests for the tenant, and the browser's report of each.
    await expectOnly(
      rec,
      [
        `HTTP 404: GET /api/v1/tenant/${envId}/status`,
        `HTTP 404: GET /api/v1/tenant/${envId}/events`,
        "console error: Failed to load resource: the server responded with a status of 404",
        "console error: Failed to load resource: the server responded with a status of 404",
      ],
      [`There is no tenant ${envId} in this organisation.`],
    );
  });

  it("a cookie-authenticated write without the CSRF header is refused, even from another site on this host, and changes nothing", async () => {
    const rec = await newContext();
    await signIn(rec, orgA.token);
    const before = (await stack.api("/api/v1/tenant?limit=100", { token: orgA.token })).body.tenants.length as number;
    const secret = (await stack.api("/api/v1/webhooks/secret", { token: orgA.token })).body.secret as string;

    const noHeader = await rec.context.request.post(`${stack.url}/api/v1/tenant/spawn`, { data: { name: "csrf", language: "node", framework: "express" } });
    expect(noHeader.status()).toBe(403);
    expect((await noHeader.json()).error.code).toBe("CSRF_FAILED");

    // A page from another origin on the same host (the same site: the cookies go along) sends the
    // classic forgeries, a fetch (no-cors: a simple request, no preflight) and a form post.
    const evilPort = await freePort();
    const evil: Server = createServer((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end(`<!doctype html><form id=f method=post action="${stack.url}/api/v1/webhooks/secret/rotate"></form>
<script>fetch("${stack.url}/api/v1/webhooks/secret/rotate", { method: "POST", mode: "no-cors", credentials: "include" }).finally(() => document.getElementById("f").submit())</script>`);
    });
    await new Promise<void>((r) => evil.listen(evilPort, "127.0.0.1", r));
    onTestFinished(() => new Promise<void>((r) => evil.close(() => r())));
    await rec.context.unrouteAll(); // this test opens another origin on purpose
    const attacker = await rec.context.newPage();
    const refused = (type: string) => attacker.waitForResponse((r) => r.url().endsWith("/api/v1/webhooks/secret/rotate") && r.request().resourceType() === type);
    const [fetched, posted] = [refused("fetch"), refused("document")];
    await attacker.goto(`http://127.0.0.1:${evilPort}/`);
    expect((await fetched).status()).toBe(403);
    expect((await posted).status()).toBe(403);
    expect(((await (await posted).json()) as any).error.code).toBe("CSRF_FAILED");

    expect((await stack.api("/api/v1/webhooks/secret", { token: orgA.token })).body.secret).toBe(secret);
    expect((await stack.api("/api/v1/tenant?limit=100", { token: orgA.token })).body.tenants.length).toBe(before);
    // The attacker page's fetch and form post, refused, and the browser's report of each, and of
    // the favicon it then asked the API for (a 404: the API has none).
    await expectOnly(rec, [
      "HTTP 403: POST /api/v1/webhooks/secret/rotate",
      "HTTP 403: POST /api/v1/webhooks/secret/rotate",
      "console error: Failed to load resource: the server responded with a status of 403",
      "console error: Failed to load resource: the server responded with a status of 403",
      "console error: Failed to load resource: the server responded with a status of 404",
    ]);
  });

  it("a session in use is renewed before it expires; left alone, it ends and the sign-in form comes back", async () => {
    const rec = await newContext();
    await rec.context.clock.install(); // the page's clock, moved on below; the server's is real
    const page = await signIn(rec, orgA.token);
    const before = (await rec.context.cookies()).find((c) => c.name === "cvg_session")!.value;
    await page.getByLabel("Filter by status").focus();
    await page.keyboard.press("ArrowDown"); // someone is using it
    const renewal = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/session/refresh"));
    await page.clock.fastForward("11:00"); // under a third of the 15-minute token left
    expect((await renewal).status()).toBe(200);
    const after = (await rec.context.cookies()).find((c) => c.name === "cvg_session")!.value;
    expect(after).not.toBe(before);
    // Nobody touches it any more: it is not renewed when it nears its end again, and at its expiry
    // the page signs out by itself.
    const renewals = () => rec.urls.filter((u) => u.endsWith("/api/v1/auth/session/refresh")).length;
    await page.clock.fastForward("02:00");
    await page.evaluate(() => new Promise((r) => setTimeout(r, 500))); // the page's timer has run and made its requests
    expect(renewals()).toBe(1);
    await page.clock.fastForward("03:00");
    await page.getByText("Your session expired. Sign in again to continue.").waitFor();
    await page.getByLabel("Organisation token").waitFor();
    await expectOnly(rec);
  });

  it("signing out shows the sign-in form again and ends the session: a copy of the cookie is refused", async () => {
    const rec = await newContext();
    const page = await signIn(rec, orgA.token);
    const session = (await rec.context.cookies()).find((c) => c.name === "cvg_session")!.value;
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("Signed out.").waitFor();
    await page.getByLabel("Organisation token").waitFor();
    expect(await rec.context.cookies()).toEqual([]);
    const copy = await fetch(`${stack.url}/api/v1/tenant`, { headers: { cookie: `cvg_session=${session}` } });
    expect(copy.status).toBe(401);
    // A reload stays signed out, without asking the API (no session cookie, no request).
    await page.reload();
    await page.getByLabel("Organisation token").waitFor();
    await expectOnly(rec);
  });
});
