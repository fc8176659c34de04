/**
 * Renders the SDK's types from the API's OpenAPI document with openapi-typescript. Used by
 * generate-types.ts (to write them) and by the test that fails when the committed file is stale.
 */
import { fileURLToPath } from "node:url";
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";

export const typesFile = fileURLToPath(new URL("../src/generated/openapi.ts", import.meta.url));

const banner = `/**
 * Generated from the Convergence API's /openapi.json by openapi-typescript. Do not edit:
 * regenerate with \`npm run generate -w @convergence/sdk -- <API URL>\` against a running API.
 */
`;

export async function renderTypes(doc: unknown): Promise<string> {
  // defaultNonNullable off: a field with a default (maxRounds, limit) is optional to send.
  const ast = await openapiTS(doc as OpenAPI3, { alphabetize: true, defaultNonNullable: false, silent: true });
  return banner + astToString(ast);
}
