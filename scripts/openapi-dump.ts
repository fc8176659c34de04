/**
 * Prints the OpenAPI document that /openapi.json serves, built from the routes without any
 * service (no Postgres, Redis or Docker): `scripts/node --import tsx scripts/openapi-dump.ts > openapi.json`.
 * tests/openapi-lint.test.ts lints it with Redocly and Spectral.
 */
import { createApp } from "../api/app.js";
import type { ApiContext } from "../api/env.js";
import { openApiDocument } from "../api/openapi.js";
import { parseConfig } from "../shared/config.js";

/** Only what building the routes reads: the configuration (limits shown in the document). */
export function dumpOpenApi(env: NodeJS.ProcessEnv = {}): unknown {
  const config = parseConfig({
    DATABASE_URL: "postgres://unused@127.0.0.1/unused",
    REDIS_URL: "redis://127.0.0.1:6379",
    ENCRYPTION_KEY: Buffer.alloc(32).toString("base64"),
    ...env,
  });
  return openApiDocument(createApp({ config } as ApiContext));
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${JSON.stringify(dumpOpenApi(), null, 2)}\n`);
