/**
 * `npm run docs:config`: writes docs/configuration.md and .env.example from shared/config.ts and
 * shared/config-docs.ts. tests/unit/config-reference.test.ts fails while either committed file
 * differs from what this writes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../shared/config.js";
import { renderConfigReference, renderEnvExample, undocumentedConfig } from "../shared/config-docs.js";

const missing = undocumentedConfig();
const file = join(projectRoot, "docs", "configuration.md");
writeFileSync(file, renderConfigReference());
console.log(`wrote ${file}`);
const example = join(projectRoot, ".env.example");
writeFileSync(example, renderEnvExample());
console.log(`wrote ${example}`);
if (missing.length) {
  console.error(`no description in shared/config-docs.ts for: ${missing.join(", ")}`);
  process.exit(1);
}
