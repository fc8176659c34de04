/**
 * Log redaction by value: every secret of the configuration (database and Redis passwords, the
 * model's API key, the admin token, the encryption key) is masked wherever it appears verbatim,
 * not only key- and token-shaped text. Read from the output of a process built as the API is.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../shared/config.js";
import { configuredSecrets, maskSecretValues, scrubSecrets } from "../shared/logger.js";

/** Random, with no prefix the pattern masking knows: only masking by value can catch these. */
const secret = (bytes = 18) => randomBytes(bytes).toString("hex");

describe("log redaction", () => {
  it("a log line with the database password, Redis password or model API key verbatim comes out masked", () => {
    const dbPassword = `p@ss:${secret()}/x`; // characters a URL must percent-encode
    const redisUrl = new URL(process.env.REDIS_URL!); // the real one: the process connects to Redis
    const secrets = {
      "the database password": dbPassword,
      "the database password, URL-encoded": encodeURIComponent(dbPassword),
      "the Redis password": decodeURIComponent(redisUrl.password),
      "the model API key": `key-${secret()}`,
      "the admin token": secret(24),
      "the encryption key": randomBytes(32).toString("base64"),
    };
    const env = {
      ...process.env,
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      // Never connected to (Postgres connects on first query): only its password matters here.
      DATABASE_URL: `postgres://convergence:${encodeURIComponent(dbPassword)}@127.0.0.1:5432/convergence`,
      LLM_BASE_URL: "http://127.0.0.1:1/v1",
      LLM_API_KEY: secrets["the model API key"],
      CONVERGENCE_ADMIN_TOKEN: secrets["the admin token"],
      ENCRYPTION_KEY: secrets["the encryption key"],
    };
    const out = execFileSync(process.execPath, ["--import", "tsx", "tests/fixtures/log-configured-secrets.ts"], { cwd: projectRoot, env, encoding: "utf8" });
    const lines = out.split("\n").filter((l) => l.startsWith("{"));
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(expect.arrayContaining(["postgres driver failed", "model call failed", "settings echoed", "request"]));

    // Reported by name only: a failure must not print the secret it found.
    const leaked = Object.entries(secrets)
      .filter(([, value]) => out.includes(value))
      .map(([what]) => what);
    expect(leaked).toEqual([]);
    expect(out.match(/\[REDACTED\]/g)?.length).toBeGreaterThanOrEqual(7);
    // What is not secret stays readable.
    expect(out).toContain("connect ECONNREFUSED postgres://convergence:[REDACTED]@127.0.0.1:5432/convergence");
    expect(out).toContain("/api/v1/tenant/[REDACTED]/status");
  });

  it("finds the configuration's secrets by name and in URLs, and masks nothing shorter than a secret", () => {
    const found = configuredSecrets({
      DATABASE_URL: "postgres://u:s%40cret-pw@db:5432/x",
      REDIS_URL: "redis://:redis-pw-1@cache:6379",
      LLM_BASE_URL: "http://llm:8080/v1",
      LLM_API_KEY: "model-key-1",
      STRIPE_SECRET_KEY: "stripe-key-1",
      STRIPE_WEBHOOK_SECRET: "stripe-whsec-1",
      CONVERGENCE_ADMIN_TOKEN: "admin-token-1",
      PRINT_BOOTSTRAP_TOKEN: true,
      JWT_KEY_ROTATION_SECONDS: 86_400,
      LLM_MODEL: "gpt-4o-mini",
    });
    expect(found.sort()).toEqual(["admin-token-1", "model-key-1", "redis-pw-1", "s%40cret-pw", "s@cret-pw", "stripe-key-1", "stripe-whsec-1"].sort());
    maskSecretValues(["abc", "model-key-1"]);
    try {
      expect(scrubSecrets("abc used model-key-1 (.*+?)")).toBe("abc used [REDACTED] (.*+?)");
    } finally {
      maskSecretValues([]);
    }
  });
});
