/**
 * No API key, organisation token, access token, webhook secret or password of the configuration
 * reaches any log. Runs LAST (tests/sequencer.ts puts zz-*.test.ts after every other file) and
 * scans every process log the whole run wrote to the log directory (emptied by global setup at the
 * start of the run). It first exercises every path that handles a secret itself, so that even run
 * alone it has this run's logs to scan and knows exact secrets to look for, not only their patterns.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { logDir, spawnViaApi, startStack, waitForStatus, type Stack } from "./helpers/stack.js";

const secretPatterns: [string, RegExp][] = [
  ["tenant API key", /sk_tenant_[A-Za-z0-9_-]{8,}/],
  ["organisation token", /cvg_org_[A-Za-z0-9_-]{8,}/],
  ["webhook secret", /whsec_[A-Za-z0-9+/=_-]{8,}/],
  ["access token", /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/],
];

let stack: Stack;
const knownSecrets: string[] = [];

beforeAll(async () => {
  const adminToken = `cvg_org_${randomBytes(24).toString("base64url")}`;
  knownSecrets.push(adminToken);
  stack = await startStack("zz-secrets", { CONVERGENCE_ADMIN_TOKEN: adminToken });
  // The configuration's own secrets too (masked by value, shared/logger.ts): the database's and Redis's passwords.
  for (const url of [stack.config.DATABASE_URL, stack.config.REDIS_URL]) {
    const password = decodeURIComponent(new URL(url).password);
    if (password) knownSecrets.push(password);
  }
  const org = await stack.newOrg();
  knownSecrets.push(org.token);
  // The operator creates an organisation through the API: its token is in that answer only.
  const created = await stack.api("/api/v1/orgs", { token: adminToken, body: { name: "secret-org" } });
  expect(created.status).toBe(201);
  knownSecrets.push(created.body.token);
  const webhookSecret = await stack.api("/api/v1/webhooks/secret", { token: org.token });
  expect(webhookSecret.status).toBe(200);
  knownSecrets.push(webhookSecret.body.secret);

  const spawned = await spawnViaApi(stack, org.token, { name: "secretive" });
  expect(spawned.status).toBe(202);
  const envId = spawned.body.tenant.envId as number;
  knownSecrets.push(spawned.body.tenant.apiKey);
  const ready = await stack.api(`/api/v1/tenant/${envId}/status?wait=ready&timeout=60`, { token: org.token });
  expect(ready.body.tenant.status).toBe("ready");

  // A convergence call with the key, the key pasted into a URL, a made-up token: every one is logged as a request.
  await stack.api("/api/v1/converge", {
    token: spawned.body.tenant.apiKey,
    body: { prompt: "Is this logged?", agentARole: "Architect", agentBRole: "Reviewer" },
  });
  await stack.api(`/api/v1/tenant/${spawned.body.tenant.apiKey}/status`, { token: org.token });
  await stack.api(`/api/v1/tenant?token=${org.token}`, { token: `${org.token}x` });

  // An access token: issued, used, pasted into a URL.
  const issued = await stack.api("/api/v1/auth/token", { token: org.token, body: {} });
  expect(issued.status).toBe(200);
  knownSecrets.push(issued.body.token);
  await stack.api(`/api/v1/tenant/${envId}/status`, { token: issued.body.token });
  await stack.api(`/api/v1/tenant/${issued.body.token}/status`, { token: issued.body.token });

  const rotatedSecret = await stack.api("/api/v1/webhooks/secret/rotate", { method: "POST", token: org.token, body: {} });
  if (rotatedSecret.status === 200) knownSecrets.push(rotatedSecret.body.secret);
  const rotatedKey = await stack.api(`/api/v1/tenant/${envId}/rotate-key`, { method: "POST", token: org.token, body: {} });
  if (rotatedKey.status === 202) knownSecrets.push(rotatedKey.body.tenant.apiKey);

  const rotatedToken = await stack.api("/api/v1/auth/organisation-token/rotate", { method: "POST", token: org.token });
  expect(rotatedToken.status).toBe(200);
  knownSecrets.push(rotatedToken.body.token);
  const token: string = rotatedToken.body.token;

  await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token });
  await waitForStatus(stack, token, envId, ["destroyed"]);
  await stack.stop(); // flushes and closes this stack's logs before they are read
});
afterAll(async () => {
  await stack?.stop().catch(() => {});
});

describe("logs of the whole test run", () => {
  it("contain no API key, organisation token, access token or webhook secret", () => {
    const files = readdirSync(logDir).filter((f) => f.endsWith(".log"));
    // Something was scanned, and it is this run's: our own stack's logs are among the files, and
    // every file was written after this run started (global setup empties the directory).
    expect(files).toEqual(expect.arrayContaining(["zz-secrets-api.log", "zz-secrets-worker-1.log"]));
    const runStartedAt = inject("runStartedAt");
    for (const f of files) expect(statSync(join(logDir, f)).mtimeMs, f).toBeGreaterThanOrEqual(runStartedAt - 1_000);
    expect(knownSecrets.length).toBeGreaterThanOrEqual(5);

    const leaks: string[] = [];
    let lines = 0;
    let redactions = 0;
    for (const f of files) {
      readFileSync(join(logDir, f), "utf8")
        .split("\n")
        .forEach((line, i) => {
          lines++;
          if (line.includes("[REDACTED]")) redactions++;
          for (const [what, re] of secretPatterns) {
            const m = re.exec(line);
            if (m) leaks.push(`${f}:${i + 1}: ${what} ${m[0].slice(0, 14)}…`);
          }
          for (const secret of knownSecrets) {
            // The part after the prefix too: a mangled prefix must not hide the secret itself.
            const body = secret.replace(/^(sk_tenant_|cvg_org_|whsec_)/, "");
            if (line.includes(secret) || line.includes(body)) leaks.push(`${f}:${i + 1}: a secret issued in this test`);
          }
        });
    }
    expect(lines).toBeGreaterThan(0);
    // The key pasted into a URL reached the request log, masked: the scrubbing ran, not just silence.
    expect(redactions).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  });
});
