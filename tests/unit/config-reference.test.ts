/**
 * docs/configuration.md is generated from the code (shared/config.ts and shared/config-docs.ts):
 * every variable the configuration reads is described there, and the committed file is what
 * `npm run docs:config` writes today; so is .env.example. No services.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configSchema, projectRoot } from "../../shared/config.js";
import { configDocs, renderConfigReference, renderEnvExample, undocumentedConfig, type ConfigName } from "../../shared/config-docs.js";

// The same rule for tsc: a variable of the schema with no entry in configDocs is a type error naming it.
type Undescribed = Exclude<ConfigName, keyof typeof configDocs>;
const everyVariableDescribed: [Undescribed] extends [never] ? true : { undescribed: Undescribed } = true;

describe("the configuration reference (docs/configuration.md)", () => {
  it("describes every variable the configuration reads, and nothing it does not", () => {
    expect(everyVariableDescribed).toBe(true);
    expect(undocumentedConfig(), "variables without a description in shared/config-docs.ts").toEqual([]);
    expect(Object.keys(configDocs).filter((name) => !(name in configSchema.shape))).toEqual([]);
  });

  it("is what `npm run docs:config` generates from the code today", () => {
    const committed = readFileSync(join(projectRoot, "docs", "configuration.md"), "utf8");
    expect(committed, "docs/configuration.md is out of date: run `npm run docs:config`").toBe(renderConfigReference());
  });

  it("lists every variable with its default", () => {
    const text = renderConfigReference();
    for (const name of Object.keys(configSchema.shape)) expect(text).toMatch(new RegExp(`^\\| \`${name}\` \\| [^|]+ \\|`, "m"));
    expect(text).toContain("| `PORT` | `3000` |");
    expect(text).toContain("| `TEMPLATES_DIR` | `tenant-templates` |");
    expect(text).toContain("| `DATABASE_URL` | from `.env` |");
  });

  it(".env.example is what `npm run docs:config` generates today, and lists every variable with its default", () => {
    const committed = readFileSync(join(projectRoot, ".env.example"), "utf8");
    expect(committed, ".env.example is out of date: run `npm run docs:config`").toBe(renderEnvExample());
    for (const name of Object.keys(configSchema.shape)) expect(committed).toMatch(new RegExp(`^(# )?${name}=`, "m"));
    expect(committed).toMatch(/^# PORT=3000$/m);
    expect(committed).toMatch(/^# TRUSTED_PROXIES=127\.0\.0\.1\/32$/m);
    expect(committed).toMatch(/^DATABASE_URL=$/m);
  });
});
