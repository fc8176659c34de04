/**
 * Writes src/generated/openapi.ts from a running API's document:
 *   npm run generate -w @convergence/sdk -- http://localhost:3000
 * (CONVERGENCE_URL, then http://localhost:3000, when no URL is given).
 */
import { writeFile } from "node:fs/promises";
import { renderTypes, typesFile } from "./openapi-types.js";

const base = process.argv[2] ?? process.env.CONVERGENCE_URL ?? "http://localhost:3000";
const url = new URL("/openapi.json", base);
const res = await fetch(url).catch((err: Error) => {
  console.error(`cannot reach ${url}: ${err.message}; is the API running?`);
  process.exit(1);
});
if (!res.ok) {
  console.error(`${url} answered HTTP ${res.status}`);
  process.exit(1);
}
await writeFile(typesFile, await renderTypes(await res.json()));
console.log(`wrote ${typesFile} from ${url}`);
