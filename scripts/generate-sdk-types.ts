/**
 * Writes sdk/src/generated/openapi.ts from the OpenAPI document the routes build, without any
 * service running (`npm run sdk:types`). The SDK's own `npm run generate -w @convergence/sdk -- <URL>`
 * does the same from a running API; tests/sdk.test.ts checks the committed file is current.
 */
import { writeFile } from "node:fs/promises";
import { renderTypes, typesFile } from "../sdk/scripts/openapi-types.js";
import { dumpOpenApi } from "./openapi-dump.js";

await writeFile(typesFile, await renderTypes(dumpOpenApi() as Parameters<typeof renderTypes>[0]));
console.log(`wrote ${typesFile}`);
